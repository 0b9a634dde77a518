"""The whole trip through a real bank simulator: start → the bank's page → its signed notification
(or none) → settled; the return page asks the bank; reconciliation settles and expires what is left."""
from __future__ import annotations

import uuid

import pytest
import requests
import sqlalchemy as sa

from payment_service.adapters import orm
from payment_service.service_layer import reconcile
from payment_service.service_layer.wiring import build_context
from portal_shared.db import transaction

@pytest.fixture
def server(live):
    return live()


@pytest.fixture
def start(server, pay, issue, customer):
    """Start a payment over the live server; returns its 201 body."""

    def make(bank="citibanamex", amount="250.00"):
        invoice = issue(customer, amount="1000.00")
        with requests.Session() as http:
            response = pay(customer, [(invoice, amount)], bank=bank, http=_Http(http, server.url))
        assert response.status_code == 201, response.text
        return response.json()

    return make


class _Http:
    """The `pay` fixture's client interface over a real HTTP server."""

    def __init__(self, session: requests.Session, base: str):
        self.session, self.base = session, base

    def post(self, path, json, headers):
        return self.session.post(self.base + path, json=json, headers=headers, timeout=15)


def read(server, bearer, customer, payment_id):
    response = server.app.test_client().get(
        f"/api/v1/payments/{payment_id}", headers=bearer("billing", customer_id=customer)
    )
    assert response.status_code == 200, response.json
    return response.json


def test_approval_notifies_and_settles(choose, bank_forms, server, start, bearer, customer, outbox_for):
    payment = start()

    page = choose(payment["redirect_url"], "approve", bank_forms["citibanamex"])

    assert page.status_code == 303
    assert page.headers["Location"] == f"http://127.0.0.1:8000/payments/return?payment={payment['id']}"
    settled = read(server, bearer, customer, payment["id"])
    assert settled["status"] == "confirmed"
    assert settled["bank_reference"].startswith("BC-Banamex ") and len(settled["bank_reference"]) == 17
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1
    (mail,) = [m for m in outbox_for(mail_to="tesoreria@example.mx") if payment["reference"] in m["subject"]]
    # The receipt says where the payment's fiscal receipt (REP) will be, in both languages.
    assert "Historial de pagos" in mail["text"] and "payment history" in mail["text"]
    assert mail["text"].count("http://127.0.0.1:8000/payments\n") == 2


def test_notify_twice_settles_once(choose, bank_forms, server, start, bearer, customer, outbox_for):
    payment = start(bank="bbva")

    assert choose(payment["redirect_url"], "notify_twice", bank_forms["bbva"]).status_code == 303

    assert read(server, bearer, customer, payment["id"])["bank_reference"].startswith("BBVA-MP ")
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1
    assert len([m for m in outbox_for(mail_to="cxp@example.mx") if payment["reference"] in m["subject"]]) == 1


def test_decline_at_the_bank_fails_the_payment(choose, server, start, bearer, customer, outbox_for):
    payment = start(bank="bbva")
    choose(payment["redirect_url"], "decline", {})
    failed = read(server, bearer, customer, payment["id"])
    assert (failed["status"], failed["failure_reason"]) == ("failed", "declined")
    assert len(outbox_for(payment["id"], event_type="payment.failed")) == 1


def check_status(client, bearer, customer, payment_id):
    return client.post(f"/api/v1/payments/{payment_id}/status-check", headers=bearer("billing", customer_id=customer))


def test_lost_notification_is_found_by_the_return_pages_status_check(choose, bank_forms, server, start, bearer,
                                                                     customer, stored):
    payment = start()
    choose(payment["redirect_url"], "approve_without_notice", bank_forms["citibanamex"])
    assert stored(payment["id"]).status == "pending"  # nothing was notified

    answer = check_status(server.app.test_client(), bearer, customer, payment["id"])

    assert answer.status_code == 200
    assert answer.json["status"] == "confirmed"
    assert answer.json["bank_reference"].startswith("BC-Banamex ")


def test_reading_a_payment_changes_nothing_even_when_the_bank_has_decided(choose, bank_forms, server, start, bearer,
                                                                          customer, session_factory):
    payment = start()
    choose(payment["redirect_url"], "approve_without_notice", bank_forms["citibanamex"])

    def everything_written():
        with transaction(session_factory) as session:
            row = session.execute(sa.select(orm.Payment.__table__).where(orm.Payment.id == uuid.UUID(payment["id"])))
            outbox = session.execute(sa.select(sa.func.count()).select_from(orm.OUTBOX)).scalar()
            locks = session.execute(sa.select(sa.func.count()).select_from(orm.InvoiceLock)).scalar()
            return dict(row.one()._mapping), outbox, locks

    before = everything_written()
    for _ in range(3):
        assert read(server, bearer, customer, payment["id"])["status"] == "pending"
    assert everything_written() == before, "a GET changed the payment, its locks or the outbox"


def test_lost_notification_is_settled_by_reconciliation(choose, bank_forms, server, start, stored, session_factory,
                                                        outbox_for):
    payment = start(bank="bbva")
    choose(payment["redirect_url"], "approve_without_notice", bank_forms["bbva"])
    context = build_context(
        {**server.app.config, "RECONCILE_AFTER_SECONDS": 0, "PAYMENT_EXPIRE_SECONDS": 3600}, session_factory
    )

    outcome = reconcile.run_once(context)

    assert outcome["confirmed"] >= 1
    settled = stored(payment["id"])
    assert settled.status == "confirmed" and settled.bank_reference.startswith("BBVA-MP ")
    assert settled.email == "cxp@example.mx"
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1
    # A second pass finds nothing more to do for it.
    reconcile.run_once(context)
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1


def test_reconciliation_waits_then_expires_an_unanswered_payment(choose, bank_forms, server, start, stored,
                                                                 session_factory, outbox_for):
    payment = start()
    choose(payment["redirect_url"], "never_answer", bank_forms["citibanamex"])
    config = {**server.app.config, "RECONCILE_AFTER_SECONDS": 0}

    reconcile.run_once(build_context({**config, "PAYMENT_EXPIRE_SECONDS": 3600}, session_factory))
    assert stored(payment["id"]).status == "pending"  # the bank still says pending, not yet too old

    reconcile.run_once(build_context({**config, "PAYMENT_EXPIRE_SECONDS": 0}, session_factory))
    expired = stored(payment["id"])
    assert (expired.status, expired.failure_reason) == ("failed", "expired")
    assert len(outbox_for(payment["id"], event_type="payment.failed")) == 1


@pytest.mark.parametrize("notice", ["approve", "approve_without_notice"])
def test_an_expired_payment_the_customer_pays_after_all_is_confirmed_once(choose, bank_forms, server, start, stored,
                                                                          session_factory, outbox_for, bearer,
                                                                          customer, notice):
    payment = start()
    expiring = build_context(
        {**server.app.config, "RECONCILE_AFTER_SECONDS": 0, "PAYMENT_EXPIRE_SECONDS": 0}, session_factory
    )
    reconcile.run_once(expiring)  # the bank still says pending, for too long
    assert (stored(payment["id"]).status, stored(payment["id"]).failure_reason) == ("failed", "expired")

    # The bank's page was still open: the customer pays there after all.
    assert choose(payment["redirect_url"], notice, bank_forms["citibanamex"]).status_code == 303
    if notice == "approve_without_notice":
        # No notification: the return page's status check asks the bank about the failed payment.
        assert stored(payment["id"]).status == "failed"
        answer = check_status(server.app.test_client(), bearer, customer, payment["id"])
        assert answer.json["status"] == "confirmed"

    settled = stored(payment["id"])
    assert (settled.status, settled.failure_reason) == ("confirmed", None)
    assert settled.bank_reference.startswith("BC-Banamex ") and settled.email == "tesoreria@example.mx"

    def published() -> tuple[int, int, int]:
        receipts = [m for m in outbox_for(mail_to="tesoreria@example.mx") if payment["reference"] in m["subject"]]
        return (len(outbox_for(payment["id"], event_type="payment.failed")),
                len(outbox_for(payment["id"], event_type="payment.confirmed")), len(receipts))

    assert published() == (1, 1, 1)
    # The reconciler and the status check again: nothing more.
    reconcile.run_once(expiring)
    assert check_status(server.app.test_client(), bearer, customer, payment["id"]).json["status"] == "confirmed"
    assert published() == (1, 1, 1)


def test_reconciliation_leaves_young_payments_alone(choose, bank_forms, server, start, stored, session_factory):
    payment = start()
    choose(payment["redirect_url"], "approve_without_notice", bank_forms["citibanamex"])
    reconcile.run_once(build_context({**server.app.config, "RECONCILE_AFTER_SECONDS": 3600}, session_factory))
    assert stored(payment["id"]).status == "pending"


def test_unreachable_bank_never_expires_a_payment(choose, bank_forms, server, start, stored, session_factory, make_app):
    payment = start()
    choose(payment["redirect_url"], "approve_without_notice", bank_forms["citibanamex"])
    dead = {**server.app.config, "BANKS": None, "CITIBANAMEX_URL": "http://127.0.0.1:1", "BBVA_URL": "http://127.0.0.1:1",
            "RECONCILE_AFTER_SECONDS": 0, "PAYMENT_EXPIRE_SECONDS": 0}
    outcome = reconcile.run_once(build_context(dead, session_factory))
    assert outcome["unreachable"] >= 1
    assert stored(payment["id"]).status == "pending"


def test_a_status_check_while_the_bank_is_down_leaves_the_payment_pending(start, make_app, bearer, customer):
    payment = start()
    down = make_app(CITIBANAMEX_URL="http://127.0.0.1:1").test_client()
    response = check_status(down, bearer, customer, payment["id"])
    assert response.status_code == 200
    assert response.json["status"] == "pending"


def test_a_status_check_reaches_only_the_callers_own_payments(start, client, bearer, customer):
    payment = start()
    assert check_status(client, bearer, uuid.uuid4(), payment["id"]).status_code == 404
    agent = client.post(f"/api/v1/payments/{payment['id']}/status-check", headers=bearer("agent"))
    assert agent.status_code == 200 and agent.json["id"] == payment["id"]


def test_another_customers_payment_is_404_but_an_agent_may_read_it(start, client, bearer, customer):
    payment = start()
    other = client.get(f"/api/v1/payments/{payment['id']}", headers=bearer("admin", customer_id=uuid.uuid4()))
    assert other.status_code == 404
    assert other.json["code"] == "payment.not_found"
    agent = client.get(f"/api/v1/payments/{payment['id']}", headers=bearer("agent"))
    assert agent.status_code == 200 and agent.json["id"] == payment["id"]
    assert client.get(f"/api/v1/payments/{uuid.uuid4()}", headers=bearer("billing", customer_id=customer)).status_code == 404
