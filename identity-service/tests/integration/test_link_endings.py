"""A dead link says why (used, replaced by a newer one, no longer applying, expired, unknown), the
check answers as using the link would without spending it, and a signed-in user can ask for a new
verification link."""
from __future__ import annotations

import pytest

NEW = "Girasol-Marino-Trece-13"
CHECK = "/api/v1/auth/links/check"
RESEND = "/api/v1/auth/verify-email/resend"


@pytest.fixture
def company(portal):
    customer = portal.customer()
    portal.admin(customer["id"])
    portal.user("bea@demo.mx", ["billing"], customer["id"])
    portal.user("agente@vendor.mx", ["agent"], None)
    return customer


def user_id(portal, username):
    return portal.rows("users", username=username)[0]["id"]


def recover(portal, email="bea@demo.mx") -> str:
    assert portal.client.post("/api/v1/auth/recover", json={"email": email}).status_code == 202
    return portal.link_token(email, "/reset-password")


def reset(portal, token, password=NEW):
    return portal.client.post("/api/v1/auth/reset", json={"token": token, "new_password": password})


def check(portal, token, purpose):
    return portal.client.post(CHECK, json={"token": token, "purpose": purpose})


def code(response) -> str | None:
    return response.get_json()["code"] if response.status_code != 204 else None


def correct_email(portal, username, address):
    """customer service corrects the user's address: a verification link goes to the new one."""
    response = portal.client.patch(f"/api/v1/users/{user_id(portal, username)}", json={"email": address},
                                   headers=portal.auth("agente@vendor.mx"))
    assert response.status_code == 200, response.get_json()
    return portal.link_token(address, "/verify-email")


def invite(portal, email="nuevo@demo.mx") -> str:
    response = portal.client.post("/api/v1/users", headers=portal.auth("ana@demo.mx"),
                                  json={"email": email, "name": "Nuevo", "roles": ["billing"]})
    assert response.status_code == 202, response.get_json()
    return portal.link_token(email, "/activate")


def test_a_used_reset_link_says_it_was_used(portal, company):
    token = recover(portal)
    assert check(portal, token, "reset_password").status_code == 204
    assert reset(portal, token).status_code == 204
    again = reset(portal, token, NEW + "x")
    assert again.status_code == 400 and code(again) == "identity.link_used"
    assert "token" in again.get_json()["errors"]
    assert code(check(portal, token, "reset_password")) == "identity.link_used"
    [row] = portal.rows("one_time_tokens")
    assert row["ended_reason"] == "used"


def test_a_newer_reset_link_replaces_the_older_one(portal, company):
    older = recover(portal)
    newer = recover(portal)
    refused = reset(portal, older)
    assert refused.status_code == 400 and code(refused) == "identity.link_superseded"
    assert code(check(portal, older, "reset_password")) == "identity.link_superseded"
    assert portal.login("bea@demo.mx", portal.password).status_code == 200
    assert reset(portal, newer).status_code == 204
    # The older one still says it was replaced, not that the newer one was used.
    assert code(reset(portal, older)) == "identity.link_superseded"


def test_an_expired_reset_link_says_it_expired(portal, company, clock):
    token = recover(portal)
    clock.advance(minutes=30)
    assert code(check(portal, token, "reset_password")) == "identity.link_expired"
    refused = reset(portal, token)
    assert refused.status_code == 400 and code(refused) == "identity.link_expired"
    assert portal.login("bea@demo.mx", portal.password).status_code == 200


def test_a_reset_link_of_a_disabled_user_no_longer_applies(portal, company):
    token = recover(portal)
    bea = user_id(portal, "bea@demo.mx")
    assert portal.client.delete(f"/api/v1/users/{bea}", headers=portal.auth("ana@demo.mx")).status_code == 204
    refused = reset(portal, token)
    assert refused.status_code == 400 and code(refused) == "identity.invalid_link"
    assert [row["ended_reason"] for row in portal.rows("one_time_tokens")] == ["revoked"]


def test_links_to_a_replaced_address_no_longer_apply(portal, company):
    reset_token = recover(portal)
    first = correct_email(portal, "bea@demo.mx", "bea.nueva@demo.mx")
    assert code(reset(portal, reset_token)) == "identity.invalid_link"
    second = correct_email(portal, "bea@demo.mx", "bea.otra@demo.mx")
    refused = portal.client.post("/api/v1/auth/verify-email", json={"token": first})
    assert refused.status_code == 400 and code(refused) == "identity.invalid_link"
    endings = {row["email"]: row["ended_reason"] for row in portal.rows("one_time_tokens", purpose="verify_email")}
    assert endings == {"bea.nueva@demo.mx": "revoked", "bea.otra@demo.mx": None}
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": second}).status_code == 204


def test_a_verification_link_used_before_a_change_of_address_proves_nothing(portal, company):
    first = correct_email(portal, "bea@demo.mx", "bea.nueva@demo.mx")
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": first}).status_code == 204
    correct_email(portal, "bea@demo.mx", "bea.otra@demo.mx")
    assert code(portal.client.post("/api/v1/auth/verify-email", json={"token": first})) == "identity.invalid_link"
    me = portal.client.get("/api/v1/me", headers=portal.auth("bea@demo.mx")).get_json()
    assert me["email"] == "bea.otra@demo.mx" and me["email_verified"] is False


def test_unknown_links_and_links_for_something_else_are_invalid(portal, company):
    token = recover(portal)
    for purpose in ("reset_password", "activation", "verify_email"):
        assert code(check(portal, "no-such-link", purpose)) == "identity.invalid_link"
    assert code(check(portal, token, "verify_email")) == "identity.invalid_link"
    assert code(portal.client.post("/api/v1/auth/activate", json={"token": token, "new_password": NEW})) \
        == "identity.invalid_link"
    assert check(portal, token, "reset_password").status_code == 204
    wrong = portal.client.post(CHECK, json={"token": token, "purpose": "invitation"})
    assert wrong.status_code == 422 and "purpose" in wrong.get_json()["errors"]


def test_the_check_never_spends_or_changes_a_link(portal, company):
    token = recover(portal)
    before = portal.rows("one_time_tokens")
    for _ in range(3):
        assert check(portal, token, "reset_password").status_code == 204
    assert portal.rows("one_time_tokens") == before
    assert reset(portal, token).status_code == 204


def test_invitation_links_say_used_expired_or_already_active(portal, company, clock):
    token = invite(portal)
    assert check(portal, token, "activation").status_code == 204
    assert portal.client.post("/api/v1/auth/activate", json={"token": token, "new_password": NEW}).status_code == 204
    used = portal.client.post("/api/v1/auth/activate", json={"token": token, "new_password": NEW})
    assert used.status_code == 400 and code(used) == "identity.link_used"
    assert code(check(portal, token, "activation")) == "identity.link_used"

    late = invite(portal, "tarde@demo.mx")
    clock.advance(seconds=int(portal.ctx.settings["INVITATION_TOKEN_TTL_SECONDS"]))
    assert code(check(portal, late, "activation")) == "identity.link_expired"
    assert code(portal.client.post("/api/v1/auth/activate", json={"token": late, "new_password": NEW})) \
        == "identity.link_expired"


def test_an_operator_link_sent_again_replaces_the_earlier_one(portal):
    customer = portal.customer()
    portal.user("op@vendor.mx", ["operator"], None)
    url = f"/api/v1/customers/{customer['id']}/activation-link"
    headers = portal.auth("op@vendor.mx")
    assert portal.client.post(url, json={"email": "c@demo.mx"}, headers=headers).status_code == 202
    older = portal.link_token("c@demo.mx", "/activate")
    assert portal.client.post(url, json={"email": "c@demo.mx"}, headers=headers).status_code == 202
    newer = portal.link_token("c@demo.mx", "/activate")
    refused = portal.client.post("/api/v1/auth/activate", json={"token": older, "new_password": NEW})
    assert refused.status_code == 400 and code(refused) == "identity.link_superseded"
    assert portal.client.post("/api/v1/auth/activate", json={"token": newer, "new_password": NEW}).status_code == 204
    # Once the account is active, any of its activation links says so: the next step is to sign in.
    active = portal.client.post("/api/v1/auth/activate", json={"token": older, "new_password": NEW})
    assert active.status_code == 409 and code(active) == "identity.already_activated"
    assert code(check(portal, older, "activation")) == "identity.already_activated"


def test_a_link_ended_before_reasons_were_recorded_counts_as_used(portal, company):
    token = recover(portal)
    with portal.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE one_time_tokens SET used_at = now(), ended_reason = NULL")
    assert code(reset(portal, token)) == "identity.link_used"


def test_a_verification_link_opened_again_answers_verified(portal, company):
    token = correct_email(portal, "bea@demo.mx", "bea.nueva@demo.mx")
    assert check(portal, token, "verify_email").status_code == 204
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204
    assert check(portal, token, "verify_email").status_code == 204
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": token}).status_code == 204


def test_a_signed_in_user_asks_for_a_new_verification_link(portal, company):
    older = correct_email(portal, "bea@demo.mx", "bea.nueva@demo.mx")
    headers = portal.auth("bea@demo.mx")
    assert portal.client.post(RESEND, headers=headers).status_code == 204
    newer = portal.link_token("bea.nueva@demo.mx", "/verify-email")
    assert newer != older
    refused = portal.client.post("/api/v1/auth/verify-email", json={"token": older})
    assert refused.status_code == 400 and code(refused) == "identity.link_superseded"
    assert portal.client.post("/api/v1/auth/verify-email", json={"token": newer}).status_code == 204
    assert portal.client.get("/api/v1/me", headers=headers).get_json()["email_verified"] is True

    verified = portal.client.post(RESEND, headers=headers)
    assert verified.status_code == 409 and code(verified) == "identity.email_already_verified"
    assert portal.client.post(RESEND).status_code == 401


def test_new_verification_links_are_limited_per_user(portal, company, clock):
    correct_email(portal, "bea@demo.mx", "bea.nueva@demo.mx")
    headers = portal.auth("bea@demo.mx")
    limit = int(portal.ctx.settings["RECOVER_MAX_MAILS"])
    answers = [portal.client.post(RESEND, headers=headers).status_code for _ in range(limit + 2)]
    assert answers == [204] * (limit + 2)
    # The agent's correction sent one; the limit counts the ones the user asked for.
    assert len(portal.mails("bea.nueva@demo.mx")) == 1 + limit
    newest = portal.link_token("bea.nueva@demo.mx", "/verify-email")
    assert check(portal, newest, "verify_email").status_code == 204
    clock.advance(seconds=int(portal.ctx.settings["RECOVER_WINDOW_SECONDS"]) + 1)
    assert portal.client.post(RESEND, headers=headers).status_code == 204
    assert len(portal.mails("bea.nueva@demo.mx")) == 2 + limit
