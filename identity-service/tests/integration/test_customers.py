"""Operators register customers: customer, initial RFC user, events and audit in one transaction."""
from __future__ import annotations


def operator(portal):
    portal.user("operador@vendor.mx", ["operator"], None)
    return portal.auth("operador@vendor.mx")


BODY = {"rfc": "cdm850101ab1", "name": "Comercializadora Demo SA de CV", "system_account_number": "1000053",
        "account_numbers": ["005300", "005301"]}


def test_register_customer(portal):
    headers = operator(portal)
    response = portal.client.post("/api/v1/customers", json=BODY, headers=headers)
    assert response.status_code == 201, response.get_json()
    customer = response.get_json()
    assert customer["rfc"] == "CDM850101AB1"
    assert customer["account_numbers"] == ["005300", "005301"]

    [user] = portal.rows("users", username="CDM850101AB1")
    assert user["status"] == "pending_activation"
    assert user["password_hash"].startswith("$argon2id$")
    assert [row["role"] for row in portal.rows("user_roles", user_id=user["id"])] == ["admin"]

    [registered] = portal.events("identity.customer.registered")
    assert registered["version"] == 1 and registered["producer"] == "identity-service"
    assert registered["data"] == {"customer_id": customer["id"], "rfc": "CDM850101AB1",
                                  "name": "Comercializadora Demo SA de CV", "system_account_number": "1000053",
                                  "account_numbers": ["005300", "005301"]}
    created = [event for event in portal.events("identity.user.created") if event["data"]["user_id"] == user["id"]]
    assert created[0]["data"]["roles"] == ["admin"]

    [entry] = portal.rows("audit_log", action="customer.created")
    assert entry["actor_username"] == "operador@vendor.mx"
    assert entry["customer_id"] == customer["id"]

    assert portal.client.get(f"/api/v1/customers/{customer['id']}", headers=headers).get_json()["rfc"] == "CDM850101AB1"
    listed = portal.client.get("/api/v1/customers?rfc=cdm850101ab1", headers=headers).get_json()["items"]
    assert [item["id"] for item in listed] == [customer["id"]]


def test_only_operators_register_customers(portal):
    customer = portal.customer()
    portal.admin(customer["id"])
    portal.user("agente@vendor.mx", ["agent"], None)
    for who in ("ana@demo.mx", "agente@vendor.mx"):
        response = portal.client.post("/api/v1/customers", json={**BODY, "rfc": "XYZ900101AB1"},
                                      headers=portal.auth(who))
        assert response.status_code == 403
    assert portal.client.get("/api/v1/customers", headers=portal.auth("agente@vendor.mx")).status_code == 200
    assert portal.client.get("/api/v1/customers", headers=portal.auth("ana@demo.mx")).status_code == 403
    assert portal.client.post("/api/v1/customers", json=BODY).status_code == 401


def test_unknown_customer_is_404(portal):
    headers = operator(portal)
    response = portal.client.get("/api/v1/customers/00000000-0000-0000-0000-000000000000", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["code"] == "identity.customer_not_found"


def test_activation_link_only_while_pending(portal):
    customer = portal.customer()
    headers = operator(portal)
    url = f"/api/v1/customers/{customer['id']}/activation-link"
    assert portal.client.post(url, json={"email": "c@demo.mx"}, headers=headers).status_code == 202
    [mail] = portal.mails("c@demo.mx")
    assert "/activate?token=" in mail["text"] and "CDM850101AB1" in mail["text"]
    token = portal.link_token("c@demo.mx", "/activate")
    assert portal.client.post("/api/v1/auth/activate",
                              json={"token": token, "new_password": "Pino-Nevado-Once-11"}).status_code == 204
    again = portal.client.post(url, json={"email": "c@demo.mx"}, headers=headers)
    assert again.status_code == 409 and again.get_json()["code"] == "identity.already_activated"
