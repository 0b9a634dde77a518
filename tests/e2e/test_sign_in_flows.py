"""Sign-in journeys through the gateway over real HTTP, with identity, its relays and the mail sink running."""
from __future__ import annotations

from stack import Api, Stack, link_token


def test_rfc_first_sign_in_forces_email_and_new_password(stack: Stack, api: Api, register_customer):
    customer = register_customer()

    first = api.login(customer["rfc"], customer["rfc"])
    assert first["must_change_password"] is True
    assert first["refresh_token"] is None
    # The RFC is public: its sign-in grants the activation step and nothing else.
    assert api.get("/api/v1/me", token=first["access_token"]).status_code == 403

    email = f"contacto.{customer['rfc'].lower()}@example.com"
    refused = api.post("/api/v1/auth/first-login", {"email": email, "new_password": customer["rfc"]},
                       token=first["access_token"])
    assert refused.status_code == 422
    assert "new_password" in refused.json()["errors"]

    done = api.post("/api/v1/auth/first-login", {"email": email, "new_password": "Cambio-Seguro-2026"},
                    token=first["access_token"])
    assert done.status_code == 200, done.text
    tokens = done.json()
    assert tokens["must_change_password"] is False and tokens["refresh_token"]

    me = api.get("/api/v1/me", token=tokens["access_token"])
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["email"] == email
    assert body["customer"]["rfc"] == customer["rfc"]
    assert sorted(body["customer"]["account_numbers"]) == sorted(customer["account_numbers"])
    assert "admin" in body["roles"]

    # Once activated, the RFC no longer opens the door, and a verification link was mailed.
    again = api.post("/api/v1/auth/login", {"username": customer["rfc"], "password": customer["rfc"]})
    assert again.status_code == 401
    verification = stack.wait_for_mail(email)[0]
    token = link_token(verification, "/verify-email")
    assert api.post("/api/v1/auth/verify-email", {"token": token}).status_code == 204
    assert api.get("/api/v1/me", token=tokens["access_token"]).json()["email_verified"] is True


def test_password_recovery_by_mail_revokes_old_sessions(stack: Stack, api: Api, activated_admin):
    customer, email, old_password, tokens = activated_admin()

    unknown = api.post("/api/v1/auth/recover", {"email": "nobody-" + email})
    known = api.post("/api/v1/auth/recover", {"email": email})
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()

    mails = stack.wait_for_mail(email, count=2)  # the verification link, then the reset link
    reset_mail = next(m for m in mails if "/reset-password?token=" in m["text"])
    token = link_token(reset_mail, "/reset-password")

    new_password = "Otra-Clave-Segura-77"
    assert api.post("/api/v1/auth/reset", {"token": token, "new_password": new_password}).status_code == 204
    # Single use.
    assert api.post("/api/v1/auth/reset", {"token": token, "new_password": "Tercera-Clave-88"}).status_code in (400, 410, 422)

    old_refresh = api.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert old_refresh.status_code == 401
    assert api.post("/api/v1/auth/login", {"username": email, "password": old_password}).status_code == 401

    signed_in = api.login(email, new_password)
    assert api.get("/api/v1/me", token=signed_in["access_token"]).json()["customer"]["rfc"] == customer["rfc"]
