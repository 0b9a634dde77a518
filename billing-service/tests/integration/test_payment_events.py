"""payment.initiated / confirmed / failed v1 applied to invoices, once per (payment, invoice)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing_service.adapters.orm import Invoice, PaymentApplication
from billing_service.service_layer.payments import PaymentDoesNotMatch
from portal_shared.db import transaction


@pytest.fixture
def invoices(customer, row, import_invoices):
    account = customer["account_numbers"][0]
    return import_invoices(
        [row(account, amount="1000.00"), row(account, currency="USD", amount="50.00")], customer["customer_id"])


def state(session_factory, invoice_id):
    with transaction(session_factory) as session:
        invoice = session.get(Invoice, uuid.UUID(invoice_id))
        return str(invoice.pending_amount), str(invoice.in_transit_amount), invoice.status, invoice.version


def versions(outbox_messages, invoice_id) -> list[int]:
    return [m["data"]["version"] for m in outbox_messages("billing.invoice.balance_changed.v1", invoice_id=invoice_id)]


def test_initiated_puts_the_amount_in_transit(deliver, payment, customer, invoices, session_factory, outbox_messages):
    peso, dollar = invoices
    event = payment("initiated", payment_id=uuid.uuid4(), customer_id=customer["customer_id"], items=[
        {"invoice_id": peso["id"], "currency": "MXN", "amount": "400.00"},
        {"invoice_id": dollar["id"], "currency": "USD", "amount": "50.00", "rate": "17.2345"},
    ])

    assert deliver(event)

    assert state(session_factory, peso["id"]) == ("1000.00", "400.00", "open", 2)
    assert state(session_factory, dollar["id"]) == ("50.00", "50.00", "open", 2)
    (message,) = outbox_messages("billing.invoice.balance_changed.v1", invoice_id=peso["id"])
    assert message["data"]["in_transit_amount"] == "400.00" and message["data"]["payment_id"] == str(event.data["payment_id"])


def test_confirmed_reduces_pending_pays_at_zero_and_publishes_growing_versions(
    deliver, payment, customer, invoices, session_factory, outbox_messages
):
    peso, dollar = invoices
    first, second = uuid.uuid4(), uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "400.00"}]
    deliver(payment("initiated", payment_id=first, customer_id=customer["customer_id"], items=items))
    deliver(payment("confirmed", payment_id=first, customer_id=customer["customer_id"], items=items))
    assert state(session_factory, peso["id"]) == ("600.00", "0.00", "open", 3)

    rest = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "600.00"},
            {"invoice_id": dollar["id"], "currency": "USD", "amount": "50.00", "rate": "18.0000"}]
    deliver(payment("initiated", payment_id=second, customer_id=customer["customer_id"], items=rest))
    deliver(payment("confirmed", payment_id=second, customer_id=customer["customer_id"], items=rest,
                    bank_reference="BBVA-MP 123456"))

    assert state(session_factory, peso["id"]) == ("0.00", "0.00", "paid", 5)
    assert state(session_factory, dollar["id"]) == ("0.00", "0.00", "paid", 3)
    assert versions(outbox_messages, peso["id"]) == [2, 3, 4, 5]
    last = outbox_messages("billing.invoice.balance_changed.v1", invoice_id=peso["id"])[-1]["data"]
    assert (last["status"], last["pending_amount"], last["in_transit_amount"]) == ("paid", "0.00", "0.00")
    with transaction(session_factory) as session:
        applied = session.get(PaymentApplication, (second, uuid.UUID(dollar["id"])))
        assert (applied.state, str(applied.applied_amount), str(applied.amount_mxn), str(applied.exchange_rate),
                applied.bank_reference) == ("applied", "50.00", "900.00", "18.0000", "BBVA-MP 123456")


def test_failed_releases_the_amount_in_transit(deliver, payment, customer, invoices, session_factory):
    peso, _ = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "250.00"}]
    deliver(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))

    deliver(payment("failed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))

    assert state(session_factory, peso["id"]) == ("1000.00", "0.00", "open", 3)
    # A confirmation of a failed payment's twin event, or a late initiation, changes nothing.
    deliver(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    assert state(session_factory, peso["id"]) == ("1000.00", "0.00", "open", 3)


def test_the_same_event_twice_applies_once(deliver, payment, customer, invoices, session_factory, outbox_messages):
    peso, _ = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "100.00"}]
    confirmed = payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items)

    assert deliver(confirmed) is True
    assert deliver(confirmed) is False  # the inbox
    # The same facts under a new event id (payment-service re-announcing): the pair's state machine.
    assert deliver(payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items)) is True

    assert state(session_factory, peso["id"]) == ("900.00", "0.00", "open", 2)
    assert versions(outbox_messages, peso["id"]) == [2]


def test_confirmed_before_initiated_applies_once_and_leaves_nothing_in_transit(
    deliver, payment, customer, invoices, session_factory
):
    peso, dollar = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "1000.00"},
             {"invoice_id": dollar["id"], "currency": "USD", "amount": "20.00", "rate": "17.5"}]

    deliver(payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    deliver(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    deliver(payment("failed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))

    assert state(session_factory, peso["id"]) == ("0.00", "0.00", "paid", 2)
    assert state(session_factory, dollar["id"]) == ("30.00", "0.00", "open", 2)


def test_an_overpayment_never_takes_pending_below_zero(deliver, payment, customer, invoices, session_factory):
    peso, _ = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "1200.00"}]

    deliver(payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))

    assert state(session_factory, peso["id"]) == ("0.00", "0.00", "paid", 2)
    with transaction(session_factory) as session:
        pair = session.get(PaymentApplication, (payment_id, uuid.UUID(peso["id"])))
        assert (str(pair.applied_amount), str(pair.excess_amount)) == ("1000.00", "200.00")


def test_a_payment_confirmed_after_it_failed_is_applied(deliver, payment, customer, invoices, session_factory,
                                                         outbox_messages):
    # The bank reported it paid after payment-service had cancelled or expired it: the money counts.
    peso, _ = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "400.00"}]
    deliver(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    deliver(payment("failed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    assert state(session_factory, peso["id"]) == ("1000.00", "0.00", "open", 3)

    deliver(payment("confirmed", payment_id=payment_id, customer_id=customer["customer_id"], items=items,
                    bank_reference="BBVA-MP 654321"))

    assert state(session_factory, peso["id"]) == ("600.00", "0.00", "open", 4)
    last = outbox_messages("billing.invoice.balance_changed.v1", invoice_id=peso["id"])[-1]["data"]
    assert (last["pending_amount"], last["payment_id"]) == ("600.00", str(payment_id))
    with transaction(session_factory) as session:
        pair = session.get(PaymentApplication, (payment_id, uuid.UUID(peso["id"])))
        assert (pair.state, str(pair.applied_amount), str(pair.excess_amount), pair.bank_reference) == (
            "applied", "400.00", "0.00", "BBVA-MP 654321")
    # Told again, in any order: nothing more.
    for kind in ("failed", "confirmed", "initiated"):
        deliver(payment(kind, payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    assert state(session_factory, peso["id"]) == ("600.00", "0.00", "open", 4)


def test_a_late_confirmation_of_an_invoice_paid_again_meanwhile_keeps_the_excess(
    deliver, payment, customer, invoices, session_factory, caplog
):
    peso, _ = invoices
    given_up, paid_again = uuid.uuid4(), uuid.uuid4()
    first = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "400.00"}]
    second = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "800.00"}]
    deliver(payment("initiated", payment_id=given_up, customer_id=customer["customer_id"], items=first))
    deliver(payment("failed", payment_id=given_up, customer_id=customer["customer_id"], items=first))
    deliver(payment("initiated", payment_id=paid_again, customer_id=customer["customer_id"], items=second))
    deliver(payment("confirmed", payment_id=paid_again, customer_id=customer["customer_id"], items=second))
    assert state(session_factory, peso["id"]) == ("200.00", "0.00", "open", 5)

    deliver(payment("confirmed", payment_id=given_up, customer_id=customer["customer_id"], items=first))

    # 1,200.00 received for a 1,000.00 invoice: paid, never below zero, the 200.00 beyond it kept.
    assert state(session_factory, peso["id"]) == ("0.00", "0.00", "paid", 6)
    with transaction(session_factory) as session:
        pair = session.get(PaymentApplication, (given_up, uuid.UUID(peso["id"])))
        assert (pair.state, str(pair.applied_amount), str(pair.excess_amount)) == ("applied", "200.00", "200.00")
    [warning] = [r for r in caplog.records if r.getMessage() == "payment exceeds the invoice's pending amount"]
    assert (warning.payment_id, warning.excess) == (str(given_up), "200.00")


def test_the_database_refuses_a_negative_pending_amount(invoices, session_factory):
    peso, _ = invoices
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.execute(sa.update(Invoice).where(Invoice.id == uuid.UUID(peso["id"])).values(
                pending_amount=Decimal("-0.01")))
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(session_factory) as session:
            session.execute(sa.update(Invoice).where(Invoice.id == uuid.UUID(peso["id"])).values(
                in_transit_amount=Decimal("-0.01")))


def test_an_invoice_of_another_customer_is_refused_and_nothing_applies(
    deliver, payment, new_customer, customer, invoices, session_factory
):
    peso, _ = invoices
    stranger = new_customer()
    event = payment("confirmed", payment_id=uuid.uuid4(), customer_id=stranger["customer_id"],
                    items=[{"invoice_id": peso["id"], "currency": "MXN", "amount": "10.00"}])
    with pytest.raises(PaymentDoesNotMatch):
        deliver(event)
    assert state(session_factory, peso["id"]) == ("1000.00", "0.00", "open", 1)


def test_balances_show_the_payment_in_transit(client, bearer, deliver, payment, customer, invoices):
    peso, _ = invoices
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "300.00"}]
    deliver(payment("initiated", payment_id=uuid.uuid4(), customer_id=customer["customer_id"], items=items,
                    at=datetime.now(timezone.utc)))
    body = client.get("/api/v1/balances", headers=bearer("billing", customer_id=customer["customer_id"])).json
    shown = next(item for item in body["items"] if item["id"] == peso["id"])
    assert (shown["pending_amount"], shown["in_transit_amount"]) == ("1000.00", "300.00")
    assert body["totals"]["MXN"] == {"pending": "1000.00", "in_transit": "300.00"}


def test_failed_before_initiated_closes_the_pair_without_touching_the_balance(
    deliver, payment, customer, invoices, session_factory, outbox_messages
):
    peso, _ = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "100.00"}]

    deliver(payment("failed", payment_id=payment_id, customer_id=customer["customer_id"], items=items))
    deliver(payment("initiated", payment_id=payment_id, customer_id=customer["customer_id"], items=items))

    assert state(session_factory, peso["id"]) == ("1000.00", "0.00", "open", 1)
    assert versions(outbox_messages, peso["id"]) == []
    with transaction(session_factory) as session:
        assert session.get(PaymentApplication, (payment_id, uuid.UUID(peso["id"]))).state == "released"


def test_concurrent_deliveries_of_one_payment_apply_once(deliver, payment, customer, invoices, session_factory):
    """Consumers working in parallel (prefetch, several processes): the invoice row lock and the
    pair's primary key keep it to one application."""
    from concurrent.futures import ThreadPoolExecutor

    peso, dollar = invoices
    payment_id = uuid.uuid4()
    items = [{"invoice_id": peso["id"], "currency": "MXN", "amount": "300.00"},
             {"invoice_id": dollar["id"], "currency": "USD", "amount": "5.00", "rate": "17.0000"}]
    events = [payment(kind, payment_id=payment_id, customer_id=customer["customer_id"], items=items)
              for kind in ["initiated", "confirmed"] * 4]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(deliver, events))

    assert state(session_factory, peso["id"])[:3] == ("700.00", "0.00", "open")
    assert state(session_factory, dollar["id"])[:3] == ("45.00", "0.00", "open")
