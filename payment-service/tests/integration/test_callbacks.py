"""POST /api/v1/payments/callbacks/{bank}: signed notifications settle a payment once, by what the
bank's status API confirms; anything unsigned, forged or stale is 401, and a signed notification
the bank does not bear out is 409; neither changes anything."""
from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa

from payment_service.adapters import orm
from payment_service.adapters.banks.signing import sign
from payment_service.service_layer import reconcile
from payment_service.service_layer.callbacks import UNCONFIRMED
from payment_service.service_layer.wiring import build_context
from portal_shared.db import transaction

EMAIL = "cuentas.por.pagar@example.mx"


@pytest.fixture
def started(pay, issue, customer, stored):
    """A pending Citibanamex payment of two invoices, and its notification body."""
    first, second = issue(customer, amount="800.00"), issue(customer, amount="200.00")
    response = pay(customer, [(first, "800.00"), (second, "50.00")])
    assert response.status_code == 201
    payment = stored(response.json["id"])
    notification = {
        "bank_payment_id": payment.bank_payment_id,
        "reference": payment.reference,
        "status": "approved",
        "bank_reference": "BC-Banamex 063197",
        "email": EMAIL,
        "amount": "850.00",
    }
    return payment, notification, (first, second)


def locks_of(session_factory, payment_id) -> int:
    with transaction(session_factory) as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(orm.InvoiceLock).where(orm.InvoiceLock.payment_id == payment_id)
        )


def approved(bank_decides, payment, notification, email=EMAIL) -> dict:
    """The customer approved at the bank; the notification the bank then signs, with its reference."""
    answer = bank_decides(payment, "approve", email=email)
    assert answer["status"] == "approved"
    return {**notification, "bank_reference": answer["bank_reference"], "email": email}


def test_valid_callback_confirms_once(started, callback, stored, outbox_for, session_factory, bank_decides):
    payment, notification, (first, _) = started
    notification = approved(bank_decides, payment, notification)
    reference = notification["bank_reference"]

    response = callback("citibanamex", notification)

    assert response.status_code == 200, response.json
    assert response.json == {"payment_id": str(payment.id), "status": "confirmed", "changed": True}
    settled = stored(payment.id)
    assert (settled.status, settled.bank_reference, settled.email) == ("confirmed", reference, EMAIL)
    assert settled.confirmed_at is not None
    assert locks_of(session_factory, payment.id) == 0
    (confirmed,) = outbox_for(payment.id, event_type="payment.confirmed")
    assert confirmed["data"]["bank_reference"] == reference
    assert confirmed["data"]["total_mxn"] == "850.00"
    (mail,) = [m for m in outbox_for(mail_to=EMAIL) if payment.reference in m["subject"]]
    assert "850.00 MXN" in mail["text"] and reference in mail["text"]
    with transaction(session_factory) as session:
        # The paid amount is no longer payable, even before billing's new balance arrives.
        assert session.get(orm.PayableInvoice, first).pending_amount == Decimal("0.00")


def test_the_same_callback_three_times_settles_once(started, callback, outbox_for, bank_decides):
    payment, notification, _ = started
    notification = approved(bank_decides, payment, notification)
    answers = [callback("citibanamex", notification) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json["changed"] for a in answers] == [True, False, False]
    assert len(outbox_for(payment.id, event_type="payment.confirmed")) == 1
    assert len([m for m in outbox_for(mail_to=EMAIL) if payment.reference in m["subject"]]) == 1


@pytest.mark.parametrize("first", ["pending", "expired"])
def test_the_same_callback_three_times_at_once_settles_once(live, pay, issue, customer, stored, outbox_for, bank_decides,
                                                            session_factory, first):
    server = live()
    invoice = issue(customer, amount="75.00")
    response = pay(customer, [(invoice, "75.00")], http=server.app.test_client())
    payment = stored(response.json["id"])
    if first == "expired":
        # Paid at the bank after the reconciler gave up on it: the late confirmation is made once too.
        reconcile.run_once(build_context(
            {**server.app.config, "RECONCILE_AFTER_SECONDS": 0, "PAYMENT_EXPIRE_SECONDS": 0}, session_factory))
        assert stored(payment.id).status == "failed"
    answer = bank_decides(payment, "approve", email="concurrente@example.mx")
    raw = json.dumps({
        "bank_payment_id": payment.bank_payment_id, "reference": payment.reference, "status": "approved",
        "bank_reference": answer["bank_reference"], "email": "concurrente@example.mx", "amount": "75.00",
    }).encode()
    ts = int(time.time())
    headers = {"X-Bank-Timestamp": str(ts), "X-Bank-Signature": sign("dev-citibanamex-secret", ts, raw),
               "Content-Type": "application/json"}
    barrier = threading.Barrier(3)

    def post(_):
        barrier.wait(timeout=10)
        return requests.post(f"{server.url}/api/v1/payments/callbacks/citibanamex", data=raw, headers=headers, timeout=15)

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(post, range(3)))

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sorted(a.json()["changed"] for a in answers) == [False, False, True]
    assert len(outbox_for(payment.id, event_type="payment.confirmed")) == 1
    assert len([m for m in outbox_for(mail_to="concurrente@example.mx") if payment.reference in m["subject"]]) == 1


@pytest.mark.parametrize(
    "how",
    [
        dict(signed=False),
        dict(secret="not-the-bank"),
        dict(secret="dev-bbva-secret"),  # another bank's secret
        dict(timestamp=int(time.time()) - 301),
        dict(timestamp=int(time.time()) + 400),
    ],
    ids=["unsigned", "forged", "other-bank-secret", "stale", "future"],
)
def test_unsigned_forged_or_stale_is_401_and_changes_nothing(started, callback, stored, outbox_for, session_factory, how):
    payment, notification, _ = started

    response = callback("citibanamex", notification, **how)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "payment.invalid_signature"
    assert stored(payment.id).status == "pending"
    assert locks_of(session_factory, payment.id) == 2
    assert outbox_for(payment.id, event_type="payment.confirmed") == []


def test_a_tampered_body_is_401(started, client):
    payment, notification, _ = started
    ts = int(time.time())
    signature = sign("dev-citibanamex-secret", ts, json.dumps(notification).encode())
    tampered = json.dumps({**notification, "amount": "1.00"}).encode()
    response = client.post(
        "/api/v1/payments/callbacks/citibanamex",
        data=tampered,
        headers={"X-Bank-Timestamp": str(ts), "X-Bank-Signature": signature, "Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_decline_fails_the_payment_and_releases_the_invoices(started, callback, stored, outbox_for, pay, customer,
                                                             bank_decides):
    payment, notification, (first, second) = started
    assert bank_decides(payment, "decline")["status"] == "declined"

    response = callback("citibanamex", {**notification, "status": "declined", "bank_reference": None})

    assert response.json["status"] == "failed"
    failed = stored(payment.id)
    assert (failed.status, failed.failure_reason) == ("failed", "declined")
    (event,) = outbox_for(payment.id, event_type="payment.failed")
    assert event["data"]["reason"] == "declined"
    # Released: the same invoices can be paid again at once.
    assert pay(customer, [(first, "800.00"), (second, "200.00")], bank="bbva").status_code == 201


def test_late_approval_after_a_decline_changes_nothing(started, callback, stored, outbox_for, bank_decides):
    payment, notification, _ = started
    assert bank_decides(payment, "decline")["status"] == "declined"
    assert callback("citibanamex", {**notification, "status": "declined", "bank_reference": None}).status_code == 200

    late = callback("citibanamex", notification)

    assert late.json == {"payment_id": str(payment.id), "status": "failed", "changed": False}
    assert stored(payment.id).status == "failed"
    assert outbox_for(payment.id, event_type="payment.confirmed") == []


def test_an_expired_payment_is_confirmed_by_an_approval_the_bank_confirms_and_by_no_other(
    app, started, callback, stored, outbox_for, session_factory, bank_decides
):
    payment, notification, _ = started
    reconcile.run_once(build_context(
        {**app.config, "RECONCILE_AFTER_SECONDS": 0, "PAYMENT_EXPIRE_SECONDS": 0}, session_factory))
    assert stored(payment.id).failure_reason == "expired"
    counted = UNCONFIRMED.labels(bank="citibanamex")._value.get()

    # Signed, but the bank's status API still says pending: a leaked secret cannot confirm it.
    forged = callback("citibanamex", notification)

    assert forged.json == {"payment_id": str(payment.id), "status": "failed", "changed": False}
    assert UNCONFIRMED.labels(bank="citibanamex")._value.get() == counted + 1
    assert outbox_for(payment.id, event_type="payment.confirmed") == []

    # The customer did pay at the bank after all: its notification, borne out, confirms it once.
    paid = approved(bank_decides, payment, notification)
    answers = [callback("citibanamex", paid) for _ in range(3)]

    assert [(a.status_code, a.json["status"], a.json["changed"]) for a in answers] == [
        (200, "confirmed", True), (200, "confirmed", False), (200, "confirmed", False)]
    settled = stored(payment.id)
    assert (settled.status, settled.bank_reference, settled.failure_reason) == ("confirmed", paid["bank_reference"], None)
    assert locks_of(session_factory, payment.id) == 0
    assert len(outbox_for(payment.id, event_type="payment.confirmed")) == 1
    assert len([m for m in outbox_for(mail_to=EMAIL) if payment.reference in m["subject"]]) == 1


def test_a_notification_that_does_not_match_the_payment_is_refused(started, callback, stored):
    payment, notification, _ = started
    response = callback("citibanamex", {**notification, "amount": "1.00"})
    assert response.status_code == 422
    assert "amount" in response.json["errors"]
    assert response.json["code"] == "payment.notification_mismatch"
    assert stored(payment.id).status == "pending"


@pytest.mark.parametrize("at_the_bank", ["pending", "declined", "another reference"])
def test_a_signed_notification_the_bank_does_not_confirm_changes_nothing(started, callback, stored, outbox_for,
                                                                         session_factory, bank_decides, at_the_bank):
    # What a leaked or default secret would let anyone sign: the bank's own status API says otherwise.
    payment, notification, _ = started
    if at_the_bank == "declined":
        bank_decides(payment, "decline")
    elif at_the_bank == "another reference":
        bank_decides(payment, "approve")
    counted = UNCONFIRMED.labels(bank="citibanamex")._value.get()

    response = callback("citibanamex", notification)  # approved, "BC-Banamex 063197"

    assert response.status_code == 409, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["code"] == "payment.not_confirmed_by_bank"
    assert stored(payment.id).status == "pending"
    assert locks_of(session_factory, payment.id) == 2
    assert outbox_for(payment.id, event_type="payment.confirmed") == []
    assert UNCONFIRMED.labels(bank="citibanamex")._value.get() == counted + 1


def test_unknown_payment_or_bank_is_404(started, callback, client):
    _, notification, _ = started
    unknown = callback("citibanamex", {**notification, "bank_payment_id": uuid.uuid4().hex})
    assert unknown.status_code == 404
    assert unknown.json["code"] == "payment.not_found"
    # The notification of another bank's payment is unknown there (and signed with that bank's secret).
    assert callback("bbva", notification).status_code == 404
    no_bank = client.post("/api/v1/payments/callbacks/santander", data=b"{}", content_type="application/json")
    assert no_bank.status_code == 404
    assert no_bank.json["code"] == "payment.bank_unknown"
