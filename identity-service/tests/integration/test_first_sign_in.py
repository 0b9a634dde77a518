"""The RFC first sign-in: an activation token, then own e-mail and password, then normal tokens."""
from __future__ import annotations

RFC = "CDM850101AB1"
NEW_PASSWORD = "Nube-Azul-Tractor-7"


def first_sign_in(portal, password=RFC):
    return portal.login(RFC, password)


def test_rfc_sign_in_gives_an_activation_token_only(portal):
    portal.customer()
    response = first_sign_in(portal)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["refresh_token"] is None
    assert body["must_change_password"] is True
    assert body["token_type"] == "Bearer"

    me = portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 403
    assert me.headers["Content-Type"] == "application/problem+json"


def test_rfc_typed_in_lower_case_works_too(portal):
    portal.customer()
    assert first_sign_in(portal, RFC.lower()).status_code == 200


def test_first_login_refuses_the_rfc_as_new_password(portal):
    portal.customer()
    token = first_sign_in(portal).get_json()["access_token"]
    response = portal.client.post(
        "/api/v1/auth/first-login",
        json={"email": "ana@demo.mx", "new_password": RFC.lower()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert "new_password" in response.get_json()["errors"]
    assert response.get_json()["code"] == "identity.weak_password"
    assert portal.rows("users", username=RFC)[0]["status"] == "pending_activation"
    assert portal.mails() == []


def test_first_login_activates_and_the_rfc_no_longer_signs_in(portal):
    portal.customer()
    token = first_sign_in(portal).get_json()["access_token"]
    response = portal.client.post(
        "/api/v1/auth/first-login",
        json={"email": "Ana@Demo.MX", "new_password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["must_change_password"] is False
    assert body["refresh_token"]

    me = portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    profile = me.get_json()
    assert profile["username"] == RFC
    assert profile["email"] == "ana@demo.mx"
    assert profile["email_verified"] is False
    assert profile["roles"] == ["admin"]
    assert profile["customer"]["rfc"] == RFC
    assert profile["customer"]["account_numbers"] == ["005300"]
    assert profile["customer"]["system_account_number"] == "1000053"

    # The verification link went out through the outbox, in Spanish then English.
    [mail] = portal.mails("ana@demo.mx")
    assert "Confirme" in mail["text"] and "Please confirm" in mail["text"]
    verify = portal.link_token("ana@demo.mx", "/verify-email")
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": verify}).status_code == 204
    me = portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.get_json()["email_verified"] is True
    # Opened again, the link still says the address is verified: it is.
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": verify}).status_code == 204

    assert first_sign_in(portal).status_code == 401
    assert portal.login(RFC, NEW_PASSWORD).status_code == 200
    # The registered e-mail names the same account.
    assert portal.login("ANA@demo.mx", NEW_PASSWORD).status_code == 200
    # The activation token cannot be used a second time.
    again = portal.client.post(
        "/api/v1/auth/first-login",
        json={"email": "otra@demo.mx", "new_password": "Otra-Clave-Larga-99"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 409
    assert again.get_json()["code"] == "identity.already_activated"


def test_first_login_needs_the_activation_token(portal):
    customer = portal.customer()
    portal.admin(customer["id"])
    access = portal.token("ana@demo.mx")
    response = portal.client.post(
        "/api/v1/auth/first-login",
        json={"email": "x@demo.mx", "new_password": NEW_PASSWORD},
        headers={"Authorization": f"Bearer {access}"},
    )
    assert response.status_code == 401
    assert portal.client.post("/api/v1/auth/first-login", json={}).status_code == 401


def test_first_sign_in_is_throttled_harder(portal):
    portal.customer()
    for _ in range(3):
        assert portal.login(RFC, "CDM850101AB2").status_code == 401
    locked = first_sign_in(portal)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 900


def test_guessing_rfcs_from_one_address_is_throttled(portal, clock):
    portal.customer()
    for rfc in ("AAA850101AB1", "BBB850101AB1", "CCC850101AB1"):
        assert portal.login(rfc, rfc, address="198.51.100.7").status_code == 401
    assert portal.login(RFC, RFC, address="198.51.100.7").status_code == 429
    # Another address is not affected, and the lock is released after its hour.
    assert portal.login(RFC, RFC, address="198.51.100.8").status_code == 200
    clock.advance(seconds=3601)
    assert portal.login(RFC, RFC, address="198.51.100.7").status_code == 200


def test_operator_activation_link(portal):
    customer = portal.customer()
    portal.user("operador@vendor.mx", ["operator"], None)
    headers = portal.auth("operador@vendor.mx")
    response = portal.client.post(f"/api/v1/customers/{customer['id']}/activation-link",
                                  json={"email": "contacto@demo.mx"}, headers=headers)
    assert response.status_code == 202, response.get_json()
    token = portal.link_token("contacto@demo.mx", "/activate")
    assert portal.client.post("/api/v1/auth/activate", json={"token": token, "new_password": RFC}).status_code == 422
    assert portal.client.post("/api/v1/auth/activate",
                              json={"token": token, "new_password": NEW_PASSWORD}).status_code == 204
    assert portal.client.post("/api/v1/auth/activate",
                              json={"token": token, "new_password": NEW_PASSWORD}).status_code == 400
    me = portal.client.get("/api/v1/me", headers=portal.auth(RFC, NEW_PASSWORD)).get_json()
    assert me["email"] == "contacto@demo.mx" and me["email_verified"] is True
    assert first_sign_in(portal).status_code == 401
    actions = [row["action"] for row in portal.rows("audit_log", customer_id=customer["id"])]
    assert "user.activation_link_sent" in actions and "user.activated" in actions
