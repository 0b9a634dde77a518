"""Cancelling a pending payment, against the real bank simulators: the bank is asked and its answer
decides; cancelled, the invoices are payable again at once."""
from __future__ import annotations

import uuid

import pytest
import requests



@pytest.fixture
def started(pay, issue, customer):
    """A pending payment of one invoice; returns (its 201 body, the invoice id)."""

    def make(bank="citibanamex"):
        invoice = issue(customer, amount="1000.00")
        response = pay(customer, [(invoice, "400.00")], bank=bank)
        assert response.status_code == 201, response.text
        return response.json, invoice

    return make


def cancel(client, bearer, customer, payment_id, role="billing"):
    return client.post(f"/api/v1/payments/{payment_id}/cancel", headers=bearer(role, customer_id=customer))


@pytest.mark.parametrize("bank", ["citibanamex", "bbva"])
def test_a_cancelled_payment_frees_its_invoices_at_once_and_says_so(client, bearer, customer, started, pay,
                                                                    outbox_for, simulators, bank):
    payment, invoice = started(bank)
    # While it is pending, the invoice cannot go into another payment.
    assert pay(customer, [(invoice, "400.00")], bank=bank).status_code == 409

    answer = cancel(client, bearer, customer, payment["id"])

    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["failure_reason"]) == ("failed", "cancelled")
    at_bank = requests.get(f"{simulators[bank].url}/api/payments/{_bank_id(payment)}", timeout=10).json()
    assert at_bank["status"] == "cancelled"
    [event] = outbox_for(payment["id"], event_type="payment.failed")
    assert event["data"]["reason"] == "cancelled"
    assert pay(customer, [(invoice, "400.00")], bank=bank).status_code == 201
    # Asked again (a double click), the same answer and nothing more published.
    again = cancel(client, bearer, customer, payment["id"])
    assert again.status_code == 200 and again.json["failure_reason"] == "cancelled"
    assert len(outbox_for(payment["id"], event_type="payment.failed")) == 1


def test_cancelling_at_the_banks_page_is_learnt_by_the_status_check(client, bearer, customer, started, stored):
    payment, _invoice = started("bbva")
    back = requests.post(payment["redirect_url"] + "/cancel", allow_redirects=False, timeout=10)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"payment={payment['id']}")

    checked = client.post(f"/api/v1/payments/{payment['id']}/status-check", headers=bearer("billing", customer_id=customer))

    assert (checked.json["status"], checked.json["failure_reason"]) == ("failed", "cancelled")
    assert stored(payment["id"]).status == "failed"


@pytest.mark.parametrize("bank", ["citibanamex", "bbva"])
def test_a_payment_the_bank_paid_meanwhile_is_confirmed_not_cancelled(choose, bank_forms, client, bearer, customer,
                                                                      started,
                                                                       outbox_for, bank):
    payment, _invoice = started(bank)
    choose(payment["redirect_url"], "approve_without_notice", bank_forms[bank])  # paid; the notice lost

    answer = cancel(client, bearer, customer, payment["id"])

    assert answer.status_code == 409
    assert answer.json["code"] == "payment.paid_at_bank"
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1
    assert outbox_for(payment["id"], event_type="payment.failed") == []
    read = client.get(f"/api/v1/payments/{payment['id']}", headers=bearer("billing", customer_id=customer))
    assert read.json["status"] == "confirmed"


@pytest.mark.parametrize("bank", ["citibanamex", "bbva"])
def test_a_cancelled_payment_the_bank_pays_after_all_is_confirmed_once(live, pay, issue, customer, bearer, choose,
                                                                       bank_forms, callback, outbox_for, stored,
                                                                       simulators, bank):
    server = live()  # the bank's own notification reaches it
    http = server.app.test_client()
    invoice = issue(customer, amount="1000.00")
    payment = pay(customer, [(invoice, "400.00")], bank=bank, http=http).json
    cancelled = cancel(http, bearer, customer, payment["id"])
    assert (cancelled.status_code, cancelled.json["failure_reason"]) == (200, "cancelled")

    # The customer's approval reached the bank after it had answered the cancel: it took the money.
    assert choose(payment["redirect_url"], "approve_after_cancel", bank_forms[bank]).status_code == 303

    read = http.get(f"/api/v1/payments/{payment['id']}", headers=bearer("billing", customer_id=customer)).json
    assert (read["status"], read["failure_reason"]) == ("confirmed", None)
    at_bank = requests.get(f"{simulators[bank].url}/api/payments/{_bank_id(payment)}", timeout=10).json()
    assert read["bank_reference"] == at_bank["bank_reference"] and read["confirmed_at"]
    [confirmed] = outbox_for(payment["id"], event_type="payment.confirmed")
    assert (confirmed["data"]["bank_reference"], confirmed["data"]["total_mxn"]) == (read["bank_reference"], "400.00")

    def receipts() -> list[dict]:
        return [m for m in outbox_for(mail_to=bank_forms[bank]["email"]) if payment["reference"] in m["subject"]]

    assert len(receipts()) == 1
    # Paid, the 400.00 is no longer payable: 600.00 is what is left of the invoice.
    assert pay(customer, [(invoice, "600.01")], bank=bank, http=http).status_code == 422

    # The notification again (twice), a status check and a cancel: nothing more happens.
    notification = {"bank_payment_id": _bank_id(payment), "reference": payment["reference"], "status": "approved",
                    "bank_reference": read["bank_reference"], "email": bank_forms[bank]["email"], "amount": "400.00"}
    assert [callback(bank, notification).json["changed"] for _ in range(2)] == [False, False]
    checked = http.post(f"/api/v1/payments/{payment['id']}/status-check", headers=bearer("billing", customer_id=customer))
    assert checked.json["status"] == "confirmed"
    assert cancel(http, bearer, customer, payment["id"]).json["code"] == "payment.not_pending"
    assert len(outbox_for(payment["id"], event_type="payment.confirmed")) == 1
    assert len(outbox_for(payment["id"], event_type="payment.failed")) == 1
    assert len(receipts()) == 1
    assert stored(payment["id"]).status == "confirmed"


def test_only_a_pending_payment_of_ones_own_company_is_cancelled(choose, client, bearer, customer, started):
    payment, _invoice = started()
    other = cancel(client, bearer, uuid.uuid4(), payment["id"])
    assert (other.status_code, other.json["code"]) == (404, "payment.not_found")
    assert cancel(client, bearer, customer, payment["id"], role="agent").status_code == 403
    choose(payment["redirect_url"], "decline", {})
    # The bank refused it before the cancel reached it: the payment settles by the bank's word.
    declined = cancel(client, bearer, customer, payment["id"])
    assert (declined.status_code, declined.json["status"], declined.json["failure_reason"]) == (200, "failed", "declined")
    settled = cancel(client, bearer, customer, payment["id"])
    assert (settled.status_code, settled.json["code"]) == (409, "payment.not_pending")


def test_a_bank_that_does_not_answer_leaves_the_payment_pending(make_app, bearer, customer, started, stored):
    payment, _invoice = started()
    down = make_app(CITIBANAMEX_URL="http://127.0.0.1:1").test_client()

    answer = cancel(down, bearer, customer, payment["id"])

    assert (answer.status_code, answer.json["code"]) == (503, "payment.bank_unavailable")
    assert stored(payment["id"]).status == "pending"


def _bank_id(payment: dict) -> str:
    return payment["redirect_url"].rsplit("/", 1)[1]


def test_the_payments_in_transit_name_their_bank_invoices_and_start(client, bearer, customer, started):
    first, invoice = started("bbva")
    second, _other = started("citibanamex")
    listed = client.get("/api/v1/payments/in-transit", headers=bearer("billing", customer_id=customer))
    assert listed.status_code == 200
    assert [(p["id"], p["bank"]) for p in listed.json["items"]] == [(first["id"], "bbva"), (second["id"], "citibanamex")]
    assert listed.json["items"][0]["items"][0]["invoice_id"] == str(invoice)
    assert listed.json["items"][0]["created_at"]
    cancel(client, bearer, customer, first["id"])
    after = client.get("/api/v1/payments/in-transit", headers=bearer("billing", customer_id=customer)).json
    assert [p["id"] for p in after["items"]] == [second["id"]]
    other = client.get("/api/v1/payments/in-transit", headers=bearer("admin", customer_id=uuid.uuid4())).json
    assert other == {"items": []}
