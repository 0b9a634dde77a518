"""Pricing and the rules a payment request must pass, without a database."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from payment_service.domain.payments import (
    ABOVE_PENDING,
    NO_RATE,
    NOT_CENTS,
    NOT_POSITIVE,
    REPEATED,
    InvoiceNotFound,
    PayableInvoice,
    PaymentRefused,
    RequestedItem,
    price_items,
)
from payment_service.domain.pricing import priced_in_mxn
from portal_shared.mexico import mexico_today

CUSTOMER = uuid.uuid4()


def invoice(currency="MXN", pending="1000.00", customer=CUSTOMER) -> PayableInvoice:
    return PayableInvoice(uuid.uuid4(), customer, "F-1", "005300", currency, Decimal(pending))


@pytest.mark.parametrize(
    ("usd", "rate", "mxn"),
    [
        ("1.00", "17.1250", "17.13"),  # exactly half a cent: up, not to even (17.12)
        ("3.00", "17.1250", "51.38"),  # 51.375
        ("100.01", "17.2345", "1723.62"),  # 1723.622345
        ("0.01", "17.2345", "0.17"),
        ("1234.56", "18.0000", "22222.08"),
    ],
)
def test_usd_is_priced_half_up_to_the_cent(usd, rate, mxn):
    assert priced_in_mxn(Decimal(usd), "USD", Decimal(rate)) == Decimal(mxn)


def test_mxn_is_its_own_price():
    assert priced_in_mxn(Decimal("10.50"), "MXN", None) == Decimal("10.50")


def test_usd_without_rate_cannot_be_priced():
    with pytest.raises(ValueError):
        priced_in_mxn(Decimal("1"), "USD", None)


def test_mexico_city_day_is_six_hours_behind_utc():
    assert str(mexico_today(datetime(2026, 11, 21, 5, 59, tzinfo=timezone.utc))) == "2026-11-20"
    assert str(mexico_today(datetime(2026, 11, 21, 6, 0, tzinfo=timezone.utc))) == "2026-11-21"


def test_priced_items_carry_the_rate_only_for_usd():
    mxn, usd = invoice(), invoice("USD", "500.00")
    priced = price_items(
        CUSTOMER,
        [RequestedItem(mxn.invoice_id, Decimal("100.00")), RequestedItem(usd.invoice_id, Decimal("1.00"))],
        {mxn.invoice_id: mxn, usd.invoice_id: usd},
        Decimal("17.1250"),
    )
    assert [(p.amount_mxn, p.exchange_rate) for p in priced] == [
        (Decimal("100.00"), None),
        (Decimal("17.13"), Decimal("17.1250")),
    ]


def test_another_customers_invoice_is_not_found():
    foreign = invoice(customer=uuid.uuid4())
    with pytest.raises(InvoiceNotFound) as caught:
        price_items(CUSTOMER, [RequestedItem(foreign.invoice_id, Decimal("1"))], {foreign.invoice_id: foreign}, None)
    assert caught.value.errors == {"items.0.invoice_id": ["No such invoice."]}


@pytest.mark.parametrize(
    ("amount", "field_message", "reason"),
    [("0", "greater than 0", NOT_POSITIVE), ("-5", "greater than 0", NOT_POSITIVE), ("1000.01", "Exceeds", ABOVE_PENDING),
     ("1.005", "two decimals", NOT_CENTS), ("1E+400", "Exceeds", ABOVE_PENDING), ("1E-400", "two decimals", NOT_CENTS)],
)
def test_amount_rules_name_the_item(amount, field_message, reason):
    first, second = invoice(), invoice()
    with pytest.raises(PaymentRefused) as caught:
        price_items(
            CUSTOMER,
            [RequestedItem(first.invoice_id, Decimal("1")), RequestedItem(second.invoice_id, Decimal(amount))],
            {first.invoice_id: first, second.invoice_id: second},
            None,
        )
    assert list(caught.value.errors) == ["items.1.amount"]
    assert field_message in caught.value.errors["items.1.amount"][0]
    assert caught.value.reasons == {reason}


def test_whole_pending_amount_may_be_paid():
    whole = invoice(pending="1000.00")
    (priced,) = price_items(CUSTOMER, [RequestedItem(whole.invoice_id, Decimal("1000.00"))], {whole.invoice_id: whole}, None)
    assert priced.amount_mxn == Decimal("1000.00")


def test_duplicate_invoice_is_refused():
    twice = invoice()
    with pytest.raises(PaymentRefused) as caught:
        price_items(
            CUSTOMER,
            [RequestedItem(twice.invoice_id, Decimal("1")), RequestedItem(twice.invoice_id, Decimal("2"))],
            {twice.invoice_id: twice},
            None,
        )
    assert list(caught.value.errors) == ["items.1.invoice_id"]
    assert caught.value.reasons == {REPEATED}


def test_usd_without_a_published_rate_is_refused():
    usd = invoice("USD")
    with pytest.raises(PaymentRefused) as caught:
        price_items(CUSTOMER, [RequestedItem(usd.invoice_id, Decimal("1"))], {usd.invoice_id: usd}, None)
    assert "exchange rate" in caught.value.errors["items.0.invoice_id"][0]
    assert caught.value.reasons == {NO_RATE}
