"""Money properties on PostgreSQL: payments in any order and duplicated apply exactly what was paid,
no balance goes negative, and statements add up (a fresh customer per example)."""
from __future__ import annotations

import uuid
from collections import namedtuple
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing_service.adapters.orm import Invoice, PaymentApplication, Statement
from billing_service.domain.calendar import Period
from billing_service.service_layer.invoices import import_invoices
from billing_service.service_layer.statements import state_period
from portal_shared.db import transaction
from portal_shared.mexico import MEXICO_CITY, mxn_for

D = Decimal
Figures = namedtuple("Figures", "opening_mxn opening_usd invoiced_mxn invoiced_usd paid_mxn paid_usd closing_mxn closing_usd")
cents = st.integers(min_value=1, max_value=2_000_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=150_000, max_value=250_000).map(lambda r: D(r) / 10_000)


@st.composite
def histories(draw):
    """Invoices issued in the month before last or last month; payments of parts of them, each
    confirmed or failed in one of those months, its events shuffled and some repeated."""
    invoices = draw(st.lists(st.tuples(st.sampled_from(["MXN", "USD"]), cents, st.sampled_from([0, 1])),
                             min_size=1, max_size=5))
    payments = []
    for index, (_currency, amount, month) in enumerate(invoices):
        left = amount
        for _ in range(draw(st.integers(0, 2))):
            if left <= 0:
                break
            part = D(draw(st.integers(1, int(left * 100)))) / 100
            left -= part
            outcome = draw(st.sampled_from(["confirmed", "confirmed", "failed"]))
            # Paid in the invoice's month or later.
            paid_month = draw(st.integers(month, 1))
            payments.append({"invoice": index, "amount": part, "outcome": outcome, "month": paid_month,
                             "rate": draw(rates), "initiated": draw(st.booleans())})
    events = []
    for number, p in enumerate(payments):
        kinds = (["initiated"] if p["initiated"] else []) + [p["outcome"]]
        kinds += draw(st.lists(st.sampled_from(kinds), max_size=1))
        events += [(kind, number) for kind in kinds]
    return invoices, payments, draw(st.permutations(events))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_payments_and_statements_add_up(history, new_customer, deliver, payment, session_factory, context, last_month):
    invoices, payments, order = history
    customer = new_customer()
    account = customer["account_numbers"][0]
    months = [Period.containing(last_month.first_day - timedelta(days=1)), last_month]
    rows = [
        {"invoice_number": f"H-{uuid.uuid4().hex[:12]}", "account_number": account,
         "issue_date": months[month].first_day + timedelta(days=index), "due_date": months[month].end,
         "currency": currency, "amount": amount, "fiscal_folio": None}
        for index, (currency, amount, month) in enumerate(invoices)
    ]
    import_invoices(replace(context, publish=lambda s, e: None), rows)
    with transaction(session_factory) as session:
        ids = {r["invoice_number"]: i.id for r in rows for i in session.scalars(
            sa.select(Invoice).where(Invoice.invoice_number == r["invoice_number"]))}
    payment_ids = [uuid.uuid4() for _ in payments]

    for kind, number in order:
        p = payments[number]
        currency = invoices[p["invoice"]][0]
        paid_at = datetime.combine(months[p["month"]].first_day + timedelta(days=27), time(12), tzinfo=MEXICO_CITY)
        deliver(payment(kind, payment_id=payment_ids[number], customer_id=customer["customer_id"],
                        at=paid_at.astimezone(timezone.utc), items=[{
                            "invoice_id": ids[rows[p["invoice"]]["invoice_number"]], "currency": currency,
                            "amount": p["amount"], "rate": p["rate"] if currency == "USD" else None}]))

    with transaction(session_factory) as session:
        stored = {i.invoice_number: i for i in session.scalars(
            sa.select(Invoice).where(Invoice.customer_id == customer["customer_id"]))}
        applied = session.scalars(sa.select(PaymentApplication).where(
            PaymentApplication.customer_id == customer["customer_id"], PaymentApplication.state == "applied")).all()
    for index, row in enumerate(rows):
        paid = sum((p["amount"] for p in payments if p["invoice"] == index and p["outcome"] == "confirmed"), D(0))
        invoice = stored[row["invoice_number"]]
        assert invoice.pending_amount == row["amount"] - paid >= 0
        assert invoice.in_transit_amount == 0
        assert invoice.status == ("paid" if invoice.pending_amount == 0 else "open")
    confirmed = [p for p in payments if p["outcome"] == "confirmed"]
    assert sorted(a.applied_amount for a in applied) == sorted(p["amount"] for p in confirmed)
    # In MXN too: what billing recorded per item is what the payment charged, to the cent.
    assert sum((a.amount_mxn for a in applied), D(0)) == sum(
        (mxn_for(p["amount"], invoices[p["invoice"]][0], p["rate"]) for p in confirmed), D(0))

    session = session_factory()
    try:
        # Rolled back: the statements of other examples' customers stay untouched.
        now = datetime.now(timezone.utc)
        quiet = replace(context, clock=lambda: now, publish=lambda s, e: None)
        statements = []
        for period in months:
            state_period(quiet, session, period, customer_id=customer["customer_id"])
            found = session.scalar(sa.select(Statement).where(
                Statement.customer_id == customer["customer_id"], Statement.period == str(period)))
            statements.append(None if found is None else Figures(
                found.opening_mxn, found.opening_usd, found.invoiced_mxn, found.invoiced_usd,
                found.paid_mxn, found.paid_usd, found.closing_mxn, found.closing_usd))
    finally:
        session.rollback()
        session.close()
    earlier, latest = statements
    for s in statements:
        if s is None:
            continue
        assert s.closing_mxn == s.opening_mxn + s.invoiced_mxn - s.paid_mxn
        assert s.closing_usd == s.opening_usd + s.invoiced_usd - s.paid_usd
    if earlier is not None:
        assert (latest.opening_mxn, latest.opening_usd) == (earlier.closing_mxn, earlier.closing_usd)
    # Every invoice and payment happened by the end of last month: its closing balance is what is owed.
    owed = {c: sum((i.pending_amount for i in stored.values() if i.currency == c), D(0)) for c in ("MXN", "USD")}
    assert (latest.closing_mxn, latest.closing_usd) == (owed["MXN"], owed["USD"])
