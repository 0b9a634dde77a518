"""POST /api/v1/payments: validation, scoping, pricing, in-transit exclusivity, idempotency, payment.initiated."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa

from payment_service.adapters import orm
from portal_shared.db import transaction
from portal_shared.mexico import mexico_today


def test_payment_is_started_at_the_bank(pay, issue, customer, stored, outbox_for, simulators):
    first, second = issue(customer, amount="1500.00"), issue(customer, amount="300.00")

    response = pay(customer, [(first, "1500.00"), (second, "120.50")])

    assert response.status_code == 201, response.json
    body = response.json
    assert (body["status"], body["currency"], body["total"]) == ("pending", "MXN", "1620.50")
    assert body["reference"].startswith("P") and len(body["reference"]) == 12
    assert body["redirect_url"].startswith(simulators["citibanamex"].url + "/pay/")
    assert [(i["invoice_id"], i["amount"], i["amount_mxn"], i["exchange_rate"]) for i in body["items"]] == [
        (str(first), "1500.00", "1500.00", None),
        (str(second), "120.50", "120.50", None),
    ]
    assert response.headers["Location"] == f"/api/v1/payments/{body['id']}"
    payment = stored(body["id"])
    assert payment.customer_id == customer and payment.bank_payment_id

    (initiated,) = outbox_for(body["id"], event_type="payment.initiated")
    assert initiated["data"]["total_mxn"] == "1620.50"
    assert initiated["data"]["customer_id"] == str(customer)
    assert [i["amount"] for i in initiated["data"]["items"]] == ["1500.00", "120.50"]


def test_usd_items_are_priced_at_the_current_rate_to_the_cent(pay, issue, customer, set_rate, stored, outbox_for):
    set_rate(mexico_today(datetime.now(timezone.utc)), "17.1250")
    usd = issue(customer, currency="USD", amount="500.00")
    mxn = issue(customer, amount="99.99")

    response = pay(customer, [(usd, "3.00"), (mxn, "99.99")], bank="bbva")

    assert response.status_code == 201, response.json
    usd_item, mxn_item = response.json["items"]
    assert (usd_item["currency"], usd_item["amount"], usd_item["amount_mxn"], usd_item["exchange_rate"]) == (
        "USD", "3.00", "51.38", "17.1250",  # 51.375 rounded half-up
    )
    assert mxn_item["amount_mxn"] == "99.99"
    assert response.json["total"] == "151.37"
    assert stored(response.json["id"]).total == Decimal("151.37")
    (initiated,) = outbox_for(response.json["id"], event_type="payment.initiated")
    assert initiated["data"]["items"][0]["exchange_rate"] == "17.1250"


def test_usd_without_a_rate_for_today_is_refused(make_app, simulators, bearer, issue, customer):
    # A clock set before any rate was published: nothing is "current".
    app = make_app(
        CITIBANAMEX_URL=simulators["citibanamex"].url,
        CLOCK=lambda: datetime(1970, 1, 2, tzinfo=timezone.utc),
    )
    usd = issue(customer, currency="USD", amount="10.00")
    response = app.test_client().post(
        "/api/v1/payments",
        json={"bank": "citibanamex", "items": [{"invoice_id": str(usd), "amount": "1.00"}]},
        headers={**bearer("billing", customer_id=customer), "Idempotency-Key": "k1"},
    )
    assert response.status_code == 422
    assert response.json["code"] == "payment.no_exchange_rate"
    assert "exchange rate" in response.json["errors"]["items.0.invoice_id"][0]


def test_another_customers_invoice_is_404_naming_the_item(pay, issue, customer):
    mine, theirs = issue(customer), issue(uuid.uuid4())
    response = pay(customer, [(mine, "1.00"), (theirs, "1.00")])
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["errors"] == {"items.1.invoice_id": ["No such invoice."]}
    assert response.json["code"] == "payment.invoice_unknown"


def test_unknown_invoice_is_404(pay, customer):
    response = pay(customer, [(uuid.uuid4(), "1.00")])
    assert response.status_code == 404
    assert response.json["code"] == "payment.invoice_unknown"


def test_amount_above_pending_or_not_positive_is_422_naming_the_item(pay, issue, customer):
    invoice = issue(customer, amount="1000.00", pending="400.00")
    # Only an amount written as money can exceed what is pending; the rest is refused as written.
    above, invalid = "payment.amount_above_pending", "request.invalid"
    for amount, code in (("400.01", above), ("0", invalid), ("-1.00", invalid), ("0.001", invalid),
                         ("1e400", invalid), (400.001, invalid)):
        response = pay(customer, [(invoice, amount)])
        assert response.status_code == 422, amount
        assert list(response.json["errors"]) == ["items.0.amount"], amount
        assert response.json["code"] == code, amount


def test_items_refused_for_different_reasons_are_one_validation_refusal_naming_them_all(pay, issue, customer):
    invoice = issue(customer, amount="1000.00", pending="400.00")
    response = pay(customer, [(invoice, "400.01"), (invoice, "1.00")])
    assert response.status_code == 422
    assert response.json["code"] == "request.invalid"
    assert sorted(response.json["errors"]) == ["items.0.amount", "items.1.invoice_id"]


def test_body_rules_are_422_naming_the_field(client, bearer, customer, issue):
    invoice = str(issue(customer))
    headers = {**bearer("admin", customer_id=customer), "Idempotency-Key": uuid.uuid4().hex}
    cases = [
        ({"bank": "santander", "items": [{"invoice_id": invoice, "amount": "1"}]}, "bank"),
        ({"bank": "bbva", "items": []}, "items"),
        ({"bank": "bbva"}, "items"),
        ({"bank": "bbva", "items": [{"invoice_id": invoice, "amount": "1", "tip": "5"}]}, "items.0.tip"),
        ({"bank": "bbva", "items": [{"invoice_id": "nope", "amount": "1"}]}, "items.0.invoice_id"),
        ({"bank": "bbva", "items": [{"invoice_id": invoice, "amount": "abc"}]}, "items.0.amount"),
        ({"bank": "bbva", "items": [{"invoice_id": invoice, "amount": "1"}, {"invoice_id": invoice, "amount": "2"}]},
         "items.1.invoice_id"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/payments", json=body, headers=headers)
        assert response.status_code == 422, (body, response.json)
        assert response.headers["Content-Type"] == "application/problem+json"
        assert field in response.json["errors"], (body, response.json)
        # The same invoice twice is a rule of payments; the rest, the body's own shape.
        code = "payment.invoice_repeated" if field == "items.1.invoice_id" else "request.invalid"
        assert response.json["code"] == code, (body, response.json)


def test_idempotency_key_is_required(client, bearer, customer, issue):
    body = {"bank": "bbva", "items": [{"invoice_id": str(issue(customer)), "amount": "1.00"}]}
    response = client.post("/api/v1/payments", json=body, headers=bearer("billing", customer_id=customer))
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert response.json["code"] == "payment.idempotency_key_required"


def test_only_customer_admin_and_billing_may_pay(pay, issue, customer, client, bearer):
    invoice = issue(customer)
    assert pay(customer, [(invoice, "1.00")], role="device_admin").status_code == 403
    body = {"bank": "bbva", "items": [{"invoice_id": str(invoice), "amount": "1.00"}]}
    response = client.post("/api/v1/payments", json=body, headers={**bearer("agent"), "Idempotency-Key": "x"})
    assert response.status_code == 403
    assert client.post("/api/v1/payments", json=body, headers={"Idempotency-Key": "x"}).status_code == 401


def test_invoice_already_in_transit_is_409(pay, issue, customer, session_factory):
    shared, other = issue(customer), issue(customer)
    assert pay(customer, [(shared, "10.00")]).status_code == 201

    response = pay(customer, [(other, "10.00"), (shared, "5.00")], bank="bbva")

    assert response.status_code == 409
    assert response.json["errors"] == {"items.1.invoice_id": ["Another payment of this invoice is in transit."]}
    assert response.json["code"] == "payment.invoice_in_transit"
    with transaction(session_factory) as session:
        # The refused payment left nothing behind: not even a lock on the other invoice.
        assert session.get(orm.InvoiceLock, other) is None


def test_same_key_and_body_replays_the_answer(pay, issue, customer, session_factory, outbox_for):
    invoice = issue(customer)
    first = pay(customer, [(invoice, "10.00")], key="same-key")
    again = pay(customer, [(invoice, "10.00")], key="same-key")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    with transaction(session_factory) as session:
        assert session.scalar(
            sa.select(sa.func.count()).select_from(orm.Payment).where(orm.Payment.customer_id == customer)
        ) == 1
    assert len(outbox_for(first.json["id"], event_type="payment.initiated")) == 1


def test_same_key_with_another_body_is_422(pay, issue, customer):
    invoice = issue(customer)
    assert pay(customer, [(invoice, "10.00")], key="k").status_code == 201
    response = pay(customer, [(invoice, "11.00")], key="k")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert response.json["code"] == "payment.idempotency_key_reused"


def test_keys_are_per_customer(pay, issue, customer):
    other_customer = uuid.uuid4()
    assert pay(customer, [(issue(customer), "1.00")], key="shared").status_code == 201
    response = pay(other_customer, [(issue(other_customer), "1.00")], key="shared")
    assert response.status_code == 201
    assert response.headers.get("Idempotent-Replayed") is None


def test_bank_down_keeps_nothing_and_the_key_can_be_retried(make_app, bearer, issue, customer, simulators):
    invoice = issue(customer)
    body = {"bank": "citibanamex", "items": [{"invoice_id": str(invoice), "amount": "1.00"}]}
    headers = {**bearer("billing", customer_id=customer), "Idempotency-Key": "retry-me"}
    down = make_app(CITIBANAMEX_URL="http://127.0.0.1:1").test_client()

    response = down.post("/api/v1/payments", json=body, headers=headers)

    assert response.status_code == 503
    assert response.json["code"] == "payment.bank_unavailable"
    up = make_app(CITIBANAMEX_URL=simulators["citibanamex"].url).test_client()
    assert up.post("/api/v1/payments", json=body, headers=headers).status_code == 201
