"""GET /api/v1/payments: a customer's settled payments by account and date, paged; agents name the customer."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from payment_service.adapters import orm
from portal_shared.db import transaction


@pytest.fixture
def settle(pay, callback, stored, session_factory, bank_decides):
    """Start, approve at the bank and confirm a payment, then place its confirmation at `paid_at` (UTC)."""

    def make(customer_id, items, paid_at: datetime, bank="citibanamex"):
        response = pay(customer_id, items, bank=bank)
        assert response.status_code == 201, response.json
        payment = stored(response.json["id"])
        at_the_bank = bank_decides(payment, "approve")
        answer = callback(bank, {
            "bank_payment_id": payment.bank_payment_id, "reference": payment.reference, "status": "approved",
            "bank_reference": at_the_bank["bank_reference"], "amount": str(payment.total),
        })
        assert answer.json["status"] == "confirmed"
        with transaction(session_factory) as session:
            session.execute(sa.update(orm.Payment).where(orm.Payment.id == payment.id).values(confirmed_at=paid_at))
        return response.json["id"]

    return make


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def history_of(client, bearer):
    def get(caller_customer, role="billing", **query):
        headers = bearer(role, customer_id=caller_customer if role != "agent" else None)
        return client.get("/api/v1/payments", query_string=query, headers=headers)

    return get


def test_history_filters_by_account_and_mexico_city_dates(settle, issue, customer, history_of, pay, stored):
    account_a = f"A{uuid.uuid4().hex[:8]}"
    a1, a2 = issue(customer, account_number=account_a), issue(customer, account_number=f"B{uuid.uuid4().hex[:8]}")
    october = settle(customer, [(a1, "10.00")], utc(2026, 10, 15, 18))
    # 2026-11-01 03:00 UTC is still October 31 in Mexico City.
    halloween = settle(customer, [(a2, "20.00")], utc(2026, 11, 1, 3))
    november = settle(customer, [(a1, "30.00"), (a2, "40.00")], utc(2026, 11, 20, 17))
    pending = pay(customer, [(issue(customer), "5.00")])  # not settled: never in the history
    assert pending.status_code == 201

    everything = history_of(customer).json
    assert [p["id"] for p in everything["items"]] == [november, halloween, october]
    assert everything["total"] == 3
    newest = everything["items"][0]
    assert (newest["total"], newest["currency"]) == ("70.00", "MXN")
    assert newest["bank_reference"].startswith("BC-Banamex ")
    assert newest["bank_reference"] == stored(november).bank_reference
    assert [(i["amount"], i["currency"]) for i in newest["invoices"]] == [("30.00", "MXN"), ("40.00", "MXN")]
    assert newest["paid_at"].startswith("2026-11-20T17:00")

    by_account = history_of(customer, account=account_a).json
    assert [p["id"] for p in by_account["items"]] == [november, october]

    october_only = history_of(customer, **{"from": "2026-10-01", "to": "2026-10-31"}).json
    assert [p["id"] for p in october_only["items"]] == [halloween, october]
    from_november = history_of(customer, **{"from": "2026-11-01"}).json
    assert [p["id"] for p in from_november["items"]] == [november]
    until_halloween = history_of(customer, to="2026-10-31").json
    assert [p["id"] for p in until_halloween["items"]] == [halloween, october]
    backwards = history_of(customer, **{"from": "2026-11-02", "to": "2026-11-01"})
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    assert backwards.json["code"] == "request.invalid"
    assert history_of(customer, **{"from": "yesterday"}).status_code == 422


def test_history_pages(settle, issue, customer, history_of):
    ids = [settle(customer, [(issue(customer), "1.00")], utc(2026, 9, day, 12)) for day in (1, 2, 3, 4, 5)]
    first = history_of(customer, page=1, page_size=2).json
    third = history_of(customer, page=3, page_size=2).json
    assert (first["total"], first["page"], first["page_size"]) == (5, 1, 2)
    assert [p["id"] for p in first["items"]] == ids[::-1][:2]
    assert [p["id"] for p in third["items"]] == [ids[0]]
    assert history_of(customer, page_size=101).status_code == 422
    assert history_of(customer, page=0).status_code == 422


def test_history_is_scoped_to_the_callers_customer(settle, issue, customer, history_of):
    settle(customer, [(issue(customer), "1.00")], utc(2026, 8, 1, 12))
    stranger = uuid.uuid4()
    # Naming another customer in the URL changes nothing for a customer's user.
    assert history_of(stranger, customer_id=str(customer)).json["items"] == []


def test_agents_name_the_customer(settle, issue, customer, history_of):
    paid = settle(customer, [(issue(customer), "1.00")], utc(2026, 8, 1, 12))
    missing = history_of(None, role="agent")
    assert missing.status_code == 422 and "customer_id" in missing.json["errors"]
    assert missing.json["code"] == "request.invalid"
    assert [p["id"] for p in history_of(None, role="agent", customer_id=str(customer)).json["items"]] == [paid]
    assert history_of(customer, role="device_admin").status_code == 403
