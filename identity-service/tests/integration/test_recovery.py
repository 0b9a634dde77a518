"""Password recovery: same answer for everyone, a single-use 30-minute link, all sign-ins revoked."""
from __future__ import annotations

NEW = "Girasol-Marino-Trece-13"


def setup_user(portal):
    customer = portal.customer()
    portal.user("bea@demo.mx", ["billing"], customer["id"])
    return customer


def recover(portal, email):
    return portal.client.post("/api/v1/auth/recover", json={"email": email})


def test_known_and_unknown_addresses_get_the_same_answer(portal):
    setup_user(portal)
    known = recover(portal, "Bea@demo.mx")
    unknown = recover(portal, "nadie@demo.mx")
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    assert portal.mails("nadie@demo.mx") == []
    [mail] = portal.mails("bea@demo.mx")
    assert "Restablezca" in mail["subject"]
    assert "http://portal.test/reset-password?token=" in mail["text"]
    assert "Hello" in mail["text"]


def test_reset_changes_the_password_once_and_revokes_refresh_tokens(portal):
    setup_user(portal)
    old = portal.login("bea@demo.mx").get_json()
    recover(portal, "bea@demo.mx")
    token = portal.link_token("bea@demo.mx", "/reset-password")
    # The raw token is never stored, only its hash.
    assert portal.rows("one_time_tokens")[0]["token_hash"] != token

    weak = portal.client.post("/api/v1/auth/reset", json={"token": token, "new_password": "password123"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]
    assert weak.get_json()["code"] == "identity.weak_password"

    assert portal.client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW}).status_code == 204
    reused = portal.client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW + "x"})
    assert reused.status_code == 400
    assert "token" in reused.get_json()["errors"]
    assert reused.get_json()["code"] == "identity.link_used"

    refreshed = portal.client.post("/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]})
    assert refreshed.status_code == 401
    assert portal.login("bea@demo.mx", portal.password).status_code == 401
    assert portal.login("bea@demo.mx", NEW).status_code == 200


def test_reset_link_expires_after_30_minutes(portal, clock):
    setup_user(portal)
    recover(portal, "bea@demo.mx")
    token = portal.link_token("bea@demo.mx", "/reset-password")
    clock.advance(minutes=30, seconds=1)
    response = portal.client.post("/api/v1/auth/reset", json={"token": token, "new_password": NEW})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert portal.login("bea@demo.mx", portal.password).status_code == 200


def test_unknown_token_is_refused(portal):
    setup_user(portal)
    response = portal.client.post("/api/v1/auth/reset", json={"token": "not-a-token", "new_password": NEW})
    assert response.status_code == 400


def test_disabled_users_get_no_reset_mail(portal):
    customer = setup_user(portal)
    portal.admin(customer["id"])
    [bea] = portal.rows("users", username="bea@demo.mx")
    assert portal.client.delete(f"/api/v1/users/{bea['id']}", headers=portal.auth("ana@demo.mx")).status_code == 204
    assert recover(portal, "bea@demo.mx").status_code == 202
    assert portal.mails("bea@demo.mx") == []


def test_one_address_gets_a_limited_number_of_links(portal, clock):
    setup_user(portal)
    answers = [recover(portal, "bea@demo.mx").get_json() for _ in range(7)]
    assert all(answer == answers[0] for answer in answers)
    assert len(portal.mails("bea@demo.mx")) == 5
    clock.advance(hours=1, seconds=1)
    recover(portal, "bea@demo.mx")
    assert len(portal.mails("bea@demo.mx")) == 6
