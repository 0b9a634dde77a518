"""What ends access ends it at once: the access tokens issued before are refused here, and every
other verifier is told (identity.access.revoked in the outbox, in the change's own transaction)."""
from __future__ import annotations

import jwt

from portal_shared.auth.roles import ADMIN, BILLING, DEVICE_ADMIN

NEW_PASSWORD = "Otra-Clave-Segura-2026"


def me(portal, token: str):
    return portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def signed_in(portal, username: str) -> dict:
    response = portal.login(username)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def revocations(portal) -> list[dict]:
    return [event["data"] for event in portal.events("identity.access.revoked")]


def session_of(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sid"]


def company_with(portal, *users: tuple[str, list[str]]) -> dict:
    customer = portal.customer()
    made = {"customer": customer}
    for username, roles in users:
        made[username] = portal.user(username, roles, customer["id"])
    return made


def test_signing_out_refuses_that_sign_ins_access_tokens_only(portal):
    made = company_with(portal, ("ana@demo.mx", [ADMIN]))
    first, second = signed_in(portal, "ana@demo.mx"), signed_in(portal, "ana@demo.mx")
    assert me(portal, first["access_token"]).status_code == 200

    assert portal.client.post("/api/v1/auth/logout", json={"refresh_token": first["refresh_token"]}).status_code == 204

    refused = me(portal, first["access_token"])
    assert refused.status_code == 401 and refused.get_json()["title"] == "Access revoked"
    assert me(portal, second["access_token"]).status_code == 200, "the other sign-in goes on"
    [event] = revocations(portal)
    assert event["reason"] == "logout" and event["session_id"] == session_of(first["access_token"])
    assert event["user_id"] == made["ana@demo.mx"]["id"]


def test_a_role_taken_away_refuses_the_old_token_and_the_refreshed_one_carries_the_new_roles(portal):
    made = company_with(portal, ("ana@demo.mx", [ADMIN]), ("beto@demo.mx", [BILLING, DEVICE_ADMIN]))
    beto = signed_in(portal, "beto@demo.mx")
    admin = portal.auth("ana@demo.mx")
    changed = portal.client.patch(f"/api/v1/users/{made['beto@demo.mx']['id']}", json={"roles": [DEVICE_ADMIN]},
                                  headers=admin)
    assert changed.status_code == 200, changed.get_json()

    assert me(portal, beto["access_token"]).status_code == 401
    refreshed = portal.client.post("/api/v1/auth/refresh", json={"refresh_token": beto["refresh_token"]})
    assert refreshed.status_code == 200, "the sign-in itself goes on"
    now = me(portal, refreshed.get_json()["access_token"])
    assert now.status_code == 200 and now.get_json()["roles"] == [DEVICE_ADMIN]
    assert [event["reason"] for event in revocations(portal)] == ["roles_changed"]


def test_a_disabled_user_is_refused_at_once_and_cannot_refresh(portal):
    made = company_with(portal, ("ana@demo.mx", [ADMIN]), ("beto@demo.mx", [BILLING]))
    beto = signed_in(portal, "beto@demo.mx")
    ana = signed_in(portal, "ana@demo.mx")
    disabled = portal.client.delete(f"/api/v1/users/{made['beto@demo.mx']['id']}",
                                    headers={"Authorization": f"Bearer {ana['access_token']}"})
    assert disabled.status_code == 204, disabled.get_json()

    assert me(portal, beto["access_token"]).status_code == 401
    assert portal.client.post("/api/v1/auth/refresh", json={"refresh_token": beto["refresh_token"]}).status_code == 401
    assert me(portal, ana["access_token"]).status_code == 200, "only the disabled user's tokens are covered"
    [event] = revocations(portal)
    assert event["reason"] == "user_disabled" and event["session_id"] is None
    assert event["customer_id"] == made["customer"]["id"]


def test_a_password_change_refuses_every_token_issued_before_it(portal):
    company_with(portal, ("ana@demo.mx", [ADMIN]))
    here, elsewhere = signed_in(portal, "ana@demo.mx"), signed_in(portal, "ana@demo.mx")
    changed = portal.client.post("/api/v1/auth/password", headers={"Authorization": f"Bearer {here['access_token']}"},
                                 json={"current_password": portal.password, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.get_json()

    assert me(portal, here["access_token"]).status_code == 401
    assert me(portal, elsewhere["access_token"]).status_code == 401
    # The sign-in that changed the password goes on with a fresh token; the other one is over.
    kept = portal.client.post("/api/v1/auth/refresh", json={"refresh_token": here["refresh_token"]})
    assert kept.status_code == 200 and me(portal, kept.get_json()["access_token"]).status_code == 200
    assert portal.client.post("/api/v1/auth/refresh",
                              json={"refresh_token": elsewhere["refresh_token"]}).status_code == 401
    assert [event["reason"] for event in revocations(portal)] == ["password_changed"]


def test_the_revocation_is_kept_only_while_a_token_it_covers_can_live(portal):
    company_with(portal, ("ana@demo.mx", [ADMIN]))
    session = signed_in(portal, "ana@demo.mx")
    portal.client.post("/api/v1/auth/logout", json={"refresh_token": session["refresh_token"]})
    [row] = portal.rows("access_revocations")
    kept = (row["expires_at"] - row["issued_before"]).total_seconds()
    assert 900 <= kept <= 1000, "past the longest access token's life (15 min) and not much longer"
