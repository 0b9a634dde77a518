"""billing's invoices and exchange rates → payment's local copy (newest balance version wins)."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from payment_service.adapters import orm
from payment_service.service_layer.handlers import InvoiceNotKnownYet
from portal_shared.contracts import new_event
from portal_shared.db import transaction


def balance_changed(invoice_id, customer_id, *, version, pending, status="open", in_transit="0.00"):
    return new_event(
        "billing.invoice.balance_changed",
        1,
        {
            "invoice_id": invoice_id,
            "customer_id": customer_id,
            "currency": "MXN",
            "pending_amount": Decimal(pending),
            "in_transit_amount": Decimal(in_transit),
            "status": status,
            "version": version,
            "payment_id": None,
        },
        producer="billing-service",
    )


def invoice_row(session_factory, invoice_id) -> orm.PayableInvoice:
    with transaction(session_factory) as session:
        return session.get(orm.PayableInvoice, invoice_id)


def test_issued_invoice_becomes_payable(issue, customer, session_factory):
    invoice_id = issue(customer, currency="USD", amount="250.00", account_number="005300")
    row = invoice_row(session_factory, invoice_id)
    assert (row.customer_id, row.currency, row.amount, row.pending_amount, row.status, row.version) == (
        customer, "USD", Decimal("250.00"), Decimal("250.00"), "open", 0,
    )
    assert row.account_number == "005300"


def test_newest_balance_wins_whatever_the_order(issue, customer, deliver, session_factory):
    invoice_id = issue(customer, amount="1000.00")
    deliver(balance_changed(invoice_id, customer, version=3, pending="0.00", status="paid"))
    deliver(balance_changed(invoice_id, customer, version=2, pending="400.00"))  # late, older
    row = invoice_row(session_factory, invoice_id)
    assert (row.pending_amount, row.status, row.version) == (Decimal("0.00"), "paid", 3)

    deliver(balance_changed(invoice_id, customer, version=3, pending="999.00"))  # same version again
    assert invoice_row(session_factory, invoice_id).pending_amount == Decimal("0.00")


def test_reissue_under_a_new_event_id_changes_nothing(issue, customer, deliver, session_factory):
    invoice_id = issue(customer, amount="1000.00")
    deliver(balance_changed(invoice_id, customer, version=1, pending="600.00"))
    with transaction(session_factory) as session:
        row = session.get(orm.PayableInvoice, invoice_id)
        again = new_event(
            "billing.invoice.issued", 1,
            {"invoice_id": invoice_id, "invoice_number": row.invoice_number, "customer_id": customer,
             "account_number": row.account_number, "currency": "MXN", "amount": Decimal("1000.00"),
             "pending_amount": Decimal("1000.00"), "issue_date": date(2026, 10, 1), "due_date": date(2026, 10, 31)},
            producer="billing-service",
        )
    deliver(again)
    assert invoice_row(session_factory, invoice_id).pending_amount == Decimal("600.00")


def test_balance_of_an_unknown_invoice_is_retried(deliver):
    event = balance_changed(uuid.uuid4(), uuid.uuid4(), version=1, pending="1.00")
    with pytest.raises(InvoiceNotKnownYet):
        deliver(event)
    # The inbox row was rolled back with the failure, so the retry is not taken for a duplicate.
    with pytest.raises(InvoiceNotKnownYet):
        deliver(event)


def test_exchange_rate_is_stored_and_corrected(set_rate, session_factory):
    day = date(1999, 1, 4)
    set_rate(day, "10.1234")
    set_rate(day, "10.5000")
    with transaction(session_factory) as session:
        assert session.get(orm.ExchangeRate, day).rate == Decimal("10.5000")
