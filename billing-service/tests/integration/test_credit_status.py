"""GET /api/v1/credit-status: current, overdue, or blocked past CREDIT_BLOCK_DAYS (agents and operators)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from portal_shared.mexico import mexico_today


def test_current_overdue_and_blocked(client, bearer, new_customer, row, import_invoices, make_app):
    today = mexico_today()
    clean, late, very_late = new_customer(), new_customer(), new_customer()
    import_invoices([row(clean["account_numbers"][0])], clean["customer_id"])
    import_invoices([row(late["account_numbers"][0], currency="USD", amount="12.50",
                         issue_date=(today - timedelta(days=40)).isoformat(),
                         due_date=(today - timedelta(days=10)).isoformat())], late["customer_id"])
    import_invoices([row(very_late["account_numbers"][0], amount="99.00",
                         issue_date=(today - timedelta(days=100)).isoformat(),
                         due_date=(today - timedelta(days=61)).isoformat())], very_late["customer_id"])
    agent = bearer("agent")

    def status(customer, app_client=client):
        response = app_client.get(f"/api/v1/credit-status?customer_id={customer['customer_id']}", headers=agent)
        assert response.status_code == 200
        return response.json

    assert status(clean)["status"] == "current"
    body = status(late)
    assert (body["status"], body["days_overdue"], body["overdue_invoices"]) == ("overdue", 10, 1)
    assert body["overdue_pending"] == {"MXN": "0.00", "USD": "12.50"}
    assert status(very_late)["status"] == "blocked"
    lenient = make_app(CREDIT_BLOCK_DAYS=90).test_client()
    assert status(very_late, lenient)["status"] == "overdue"


def test_credit_status_is_for_staff_and_names_the_customer(client, bearer, customer):
    own = bearer("admin", customer_id=customer["customer_id"])
    assert client.get(f"/api/v1/credit-status?customer_id={customer['customer_id']}", headers=own).status_code == 403
    missing = client.get("/api/v1/credit-status", headers=bearer("operator"))
    assert missing.status_code == 422 and "customer_id" in missing.json["errors"]
    unknown = client.get(f"/api/v1/credit-status?customer_id={uuid.uuid4()}", headers=bearer("agent"))
    assert unknown.status_code == 404
    assert unknown.json["code"] == "billing.customer_unknown"
