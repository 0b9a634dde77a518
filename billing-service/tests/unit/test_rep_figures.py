"""A confirmed payment's REP figures (domain.rep): each invoice's DoctoRelacionado and the Pago's
Monto, taxes and totals, with the pesos of every document adding up to Monto to the cent."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_service.domain.rep import (
    ConfirmedPayment,
    PaidInvoice,
    ReceiptRefused,
    equivalence_for,
    receipt_deadline,
    receipt_figures,
)
from portal_shared.mexico import mxn_for, to_cents

CONFIRMED_AT = datetime(2026, 12, 7, 18, 30, 15, 123456, tzinfo=timezone.utc)


def invoice(amount: str, *, currency: str = "MXN", rate: str | None = None, balance: str | None = None,
            earlier: int = 0, **changes) -> PaidInvoice:
    paid = Decimal(amount)
    exchange_rate = Decimal(rate) if rate is not None else None
    values = {
        "fiscal_uuid": str(uuid.uuid4()).upper(), "currency": currency, "amount": paid,
        "amount_mxn": mxn_for(paid, currency, exchange_rate), "balance_before": Decimal(balance or amount),
        "earlier_payments": earlier, "exchange_rate": exchange_rate,
    }
    values.update(changes)
    return PaidInvoice(**values)


def payment(*invoices: PaidInvoice, total: Decimal | None = None, **changes) -> ConfirmedPayment:
    values = {
        "payment_id": str(uuid.uuid4()), "bank_reference": "BC-Banamex 063197", "confirmed_at": CONFIRMED_AT,
        "total_mxn": total if total is not None else sum(i.amount_mxn for i in invoices),
        "invoices": invoices,
    }
    values.update(changes)
    return ConfirmedPayment(**values)


def converted(figures) -> Decimal:
    """Σ ImpPagado / EquivalenciaDR, unrounded: the pesos SAT finds the documents paid with."""
    return sum(d.paid / d.equivalence for d in figures.documents)


def test_an_mxn_invoice_paid_whole():
    paid = invoice("2900.00", series="F", folio="1001")
    figures = receipt_figures(payment(paid))

    (document,) = figures.documents
    assert (document.fiscal_uuid, document.series, document.folio) == (paid.fiscal_uuid, "F", "1001")
    assert document.currency == "MXN" and document.equivalence == 1
    assert (document.installment, document.balance_before, document.paid, document.balance_after) == (
        1, Decimal("2900.00"), Decimal("2900.00"), Decimal("0.00"))
    assert document.tax_object == "02"
    assert (document.tax_base, document.tax) == (Decimal("2500.00"), Decimal("400.00"))
    assert figures.amount == figures.total_payments == Decimal("2900.00")
    assert (figures.currency, figures.exchange_rate, figures.payment_form) == ("MXN", 1, "03")
    assert (figures.tax_base, figures.tax) == (Decimal("2500.00"), Decimal("400.00"))
    assert figures.operation_number == "BC-Banamex 063197"
    # 18:30:15 UTC is 12:30:15 in Mexico City (UTC-6, no daylight saving time since 2022).
    assert figures.paid_at == datetime(2026, 12, 7, 12, 30, 15)


def test_a_usd_invoice_paid_in_part_at_a_rate():
    paid = invoice("500.00", currency="USD", rate="17.2533", balance="1160.00")
    figures = receipt_figures(payment(paid))

    (document,) = figures.documents
    assert document.paid_mxn == Decimal("8626.65")  # 500 × 17.2533 = 8626.65
    assert figures.amount == Decimal("8626.65")
    assert (document.balance_before, document.paid, document.balance_after) == (
        Decimal("1160.00"), Decimal("500.00"), Decimal("660.00"))
    # USD per peso: 500 / 8626.65 = 0.05795992..., ten decimals, rounded up so pesos are never exceeded.
    assert document.equivalence == Decimal("0.0579599266")
    assert abs(document.equivalence - 1 / Decimal("17.2533")) < Decimal("1E-9")
    assert to_cents(document.paid / document.equivalence) == figures.amount
    assert document.paid / document.equivalence <= figures.amount
    # IVA in dollars on the document, in pesos on the payment.
    assert (document.tax_base, document.tax) == (Decimal("431.03"), Decimal("68.96"))
    assert figures.tax_base == to_cents(Decimal("431.03") / document.equivalence)
    assert figures.tax == to_cents(Decimal("68.96") / document.equivalence)


def test_two_invoices_one_in_usd():
    pesos = invoice("1160.00", balance="2320.00")
    dollars = invoice("116.00", currency="USD", rate="18.1234")
    figures = receipt_figures(payment(pesos, dollars))

    assert [d.currency for d in figures.documents] == ["MXN", "USD"]
    assert [d.paid_mxn for d in figures.documents] == [Decimal("1160.00"), Decimal("2102.31")]
    assert figures.amount == figures.total_payments == Decimal("3262.31")
    assert to_cents(converted(figures)) == figures.amount
    assert figures.tax_base == to_cents(Decimal("1000.00") + Decimal("100.00") / figures.documents[1].equivalence)


def test_successive_partial_payments_count_installments_and_carry_the_balance():
    balance, installments, before = Decimal("3480.00"), [], []
    for n, amount in enumerate(["1000.00", "1000.00", "1480.00"]):
        (document,) = receipt_figures(payment(invoice(amount, balance=str(balance), earlier=n))).documents
        installments.append(document.installment)
        before.append(document.balance_before)
        balance = document.balance_after
    assert installments == [1, 2, 3]
    assert before == [Decimal("3480.00"), Decimal("2480.00"), Decimal("1480.00")]
    assert balance == Decimal("0.00")


def test_paying_more_than_the_balance_is_refused():
    with pytest.raises(ReceiptRefused, match="exceeds its balance"):
        receipt_figures(payment(invoice("1000.01", balance="1000.00")))


@pytest.mark.parametrize("make, message", [
    (lambda: payment(invoice("100.00"), total=Decimal("100.01")), "add up to"),
    (lambda: payment(invoice("100.00", amount_mxn=Decimal("99.00"))), "not its amount_mxn"),
    (lambda: payment(invoice("100.00", currency="USD", rate="17.0000", amount_mxn=Decimal("1700.01"))),
     "is not 1700.01 MXN"),
    (lambda: payment(invoice("100.00", currency="USD", rate=None, amount_mxn=Decimal("1700.00"))),
     "exchange rate"),
    (lambda: payment(invoice("100.00", currency="EUR", amount_mxn=Decimal("1900.00"))), "neither MXN nor USD"),
    (lambda: payment(invoice("0.00")), "positive"),
    (lambda: payment(invoice("10.00", earlier=999)), "installment 1000"),
    (lambda: payment(invoice("10.00"), bank_reference="A|B"), "bank reference"),
    (lambda: payment(invoice("10.00"), confirmed_at=datetime(2026, 12, 7, 12, 0)), "aware"),
    (lambda: payment(*[invoice("10.00", fiscal_uuid="6F1C7A0E-0000-4000-8000-000000000001")] * 2),
     "listed twice"),
    (lambda: payment(total=Decimal("0.00")), "at least one invoice"),
], ids=["total", "mxn-share", "usd-share", "no-rate", "currency", "zero", "installments", "reference",
        "naive-time", "twice", "empty"])
def test_figures_that_cannot_make_a_valid_receipt_are_refused(make, message):
    with pytest.raises(ReceiptRefused, match=message):
        receipt_figures(make())


def test_an_equivalence_of_ten_decimals_that_misses_the_cent_is_refused():
    # A billion dollars: ten decimals of USD per peso can no longer name the peso amount's cent.
    with pytest.raises(ReceiptRefused, match="ten decimals"):
        equivalence_for(Decimal("1000000000.01"), Decimal("17253300000.17"))


# --- properties -------------------------------------------------------------------------------

cents = st.integers(min_value=1, max_value=5_000_000_00).map(lambda n: Decimal(n).scaleb(-2))
rates = st.integers(min_value=15_0000, max_value=25_0000).map(lambda n: Decimal(n).scaleb(-4))
# domain.rep names every peso share exactly up to 5e7 × EquivalenciaDR pesos: 80,000 USD at 25 MXN/USD.
USD_LIMIT = Decimal("80000.00")


def limited(currency: str, amount: Decimal) -> Decimal:
    return min(amount, USD_LIMIT) if currency == "USD" else amount


@st.composite
def paid_invoices(draw) -> PaidInvoice:
    currency = draw(st.sampled_from(["MXN", "USD"]))
    balance = limited(currency, draw(cents))
    amount = draw(st.integers(min_value=1, max_value=int(balance * 100)).map(lambda n: Decimal(n).scaleb(-2)))
    rate = draw(rates) if currency == "USD" else None
    return PaidInvoice(
        fiscal_uuid=str(uuid.uuid4()).upper(), currency=currency, amount=amount,
        amount_mxn=mxn_for(amount, currency, rate), balance_before=balance,
        earlier_payments=draw(st.integers(min_value=0, max_value=20)), exchange_rate=rate,
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(paid_invoices(), min_size=1, max_size=5))
def test_the_documents_pesos_add_up_to_monto_to_the_cent(invoices):
    figures = receipt_figures(payment(*invoices))

    assert figures.amount == sum(i.amount_mxn for i in invoices)
    assert sum(to_cents(d.paid / d.equivalence) for d in figures.documents) == figures.amount
    assert converted(figures) <= figures.amount  # Monto covers the documents, as SAT checks
    for paid, document in zip(invoices, figures.documents):
        assert to_cents(document.paid / document.equivalence) == paid.amount_mxn
        assert document.equivalence.as_tuple().exponent >= -10
        assert document.balance_after == document.balance_before - document.paid >= 0
        assert document.installment == paid.earlier_payments + 1
        assert abs(document.tax - document.tax_base * Decimal("0.16")) <= Decimal("0.005")
        assert abs(document.tax_base * Decimal("1.16") - document.paid) <= Decimal("0.006")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["MXN", "USD"]), cents, rates, st.lists(st.integers(min_value=1, max_value=99), min_size=1,
                                                                 max_size=6))
def test_successive_partial_payments_of_one_invoice(currency, total, rate, percents):
    fiscal_uuid = str(uuid.uuid4()).upper()
    balance, earlier = limited(currency, total), 0
    for percent in percents:
        amount = max(Decimal("0.01"), to_cents(balance * percent / 100))
        if amount > balance:
            break
        paid = PaidInvoice(fiscal_uuid=fiscal_uuid, currency=currency, amount=amount,
                           amount_mxn=mxn_for(amount, currency, rate if currency == "USD" else None),
                           balance_before=balance, earlier_payments=earlier,
                           exchange_rate=rate if currency == "USD" else None)
        (document,) = receipt_figures(payment(paid)).documents
        assert document.installment == earlier + 1
        assert document.balance_before == balance
        assert document.balance_after == balance - amount >= 0
        balance, earlier = document.balance_after, earlier + 1
    if balance > 0:
        with pytest.raises(ReceiptRefused):
            receipt_figures(payment(PaidInvoice(
                fiscal_uuid=fiscal_uuid, currency="MXN", amount=balance + Decimal("0.01"),
                amount_mxn=balance + Decimal("0.01"), balance_before=balance, earlier_payments=earlier)))


@pytest.mark.parametrize("confirmed_at, deadline", [
    ("2026-11-30T12:00:00-06:00", "2026-12-05"),
    # 23:30 on 31 January in Mexico City is already 1 February in UTC: still January's payment.
    ("2027-02-01T05:30:00+00:00", "2027-02-05"),
    ("2026-12-31T23:59:59-06:00", "2027-01-05"),
    ("2027-01-01T06:00:00+00:00", "2027-02-05"),
])
def test_the_receipt_is_due_the_fifth_of_the_month_after_the_payment_in_mexico_city(confirmed_at, deadline):
    assert receipt_deadline(datetime.fromisoformat(confirmed_at)) == date.fromisoformat(deadline)
