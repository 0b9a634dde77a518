"""Refresh tokens rotate within a family; a reused one revokes the family; logout revokes it too."""
from __future__ import annotations

import jwt


def signed_in(portal):
    customer = portal.customer()
    portal.admin(customer["id"])
    return portal.login("ana@demo.mx").get_json()


def refresh(portal, token):
    return portal.client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_access_token_claims(portal):
    body = signed_in(portal)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    [family] = portal.rows("refresh_families")
    assert claims["sid"] == family["id"]
    assert claims["typ"] == "access" and claims["roles"] == ["admin"]
    # iat to the millisecond (revocations cover tokens issued up to an instant), exp in whole seconds.
    assert claims["exp"] - int(claims["iat"]) == body["expires_in"] == 600
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"


def test_rotation_and_reuse_detection(portal, clock):
    first = signed_in(portal)
    second = refresh(portal, first["refresh_token"])
    assert second.status_code == 200
    second = second.get_json()
    assert second["refresh_token"] != first["refresh_token"]
    third = refresh(portal, second["refresh_token"]).get_json()

    # The first token comes back after the grace window: someone copied it. The whole family
    # dies, including the newest token.
    clock.advance(seconds=11)
    reuse = refresh(portal, first["refresh_token"])
    assert reuse.status_code == 401
    assert reuse.headers["Content-Type"] == "application/problem+json"
    assert reuse.get_json()["code"] == "identity.refresh_token_invalid"
    assert refresh(portal, third["refresh_token"]).status_code == 401
    [family] = portal.rows("refresh_families")
    assert family["revoked_reason"] == "reuse"


def test_other_families_survive_a_reuse(portal, clock):
    one = signed_in(portal)
    two = portal.login("ana@demo.mx").get_json()
    refresh(portal, one["refresh_token"])
    clock.advance(seconds=11)
    assert refresh(portal, one["refresh_token"]).status_code == 401
    assert refresh(portal, two["refresh_token"]).status_code == 200


def test_a_refresh_repeated_within_the_grace_gets_the_same_successor(portal, clock):
    # A second tab (or a retried request) presents the token the first tab just rotated.
    first = signed_in(portal)
    tab_one = refresh(portal, first["refresh_token"]).get_json()
    clock.advance(seconds=9)
    tab_two = refresh(portal, first["refresh_token"])
    assert tab_two.status_code == 200
    assert tab_two.get_json()["refresh_token"] == tab_one["refresh_token"]
    [family] = portal.rows("refresh_families")
    assert family["revoked_at"] is None
    # Both tabs go on with the one successor.
    assert refresh(portal, tab_one["refresh_token"]).status_code == 200
    assert len(portal.rows("refresh_tokens")) == 3


def test_logout_revokes_the_family(portal):
    body = signed_in(portal)
    newer = refresh(portal, body["refresh_token"]).get_json()
    assert portal.client.post("/api/v1/auth/logout", json={"refresh_token": newer["refresh_token"]}).status_code == 204
    assert refresh(portal, newer["refresh_token"]).status_code == 401
    assert portal.client.post("/api/v1/auth/logout", json={"refresh_token": "unknown"}).status_code == 204


def test_refresh_token_expires(portal, clock):
    body = signed_in(portal)
    clock.advance(days=30, seconds=1)
    assert refresh(portal, body["refresh_token"]).status_code == 401


def test_change_password_revokes_the_other_families(portal):
    this = signed_in(portal)
    other = portal.login("ana@demo.mx").get_json()
    headers = {"Authorization": f"Bearer {this['access_token']}"}
    wrong = portal.client.post("/api/v1/auth/password", headers=headers,
                               json={"current_password": "incorrecta-1234", "new_password": "Cactus-Lunar-Verde-8"})
    assert wrong.status_code == 422 and "current_password" in wrong.get_json()["errors"]
    assert wrong.get_json()["code"] == "identity.wrong_current_password"
    same = portal.client.post("/api/v1/auth/password", headers=headers,
                              json={"current_password": "Vaca-Roja-Salta-42", "new_password": "Vaca-Roja-Salta-42"})
    assert same.status_code == 422 and "new_password" in same.get_json()["errors"]
    assert same.get_json()["code"] == "identity.same_password"
    response = portal.client.post("/api/v1/auth/password", headers=headers,
                                  json={"current_password": "Vaca-Roja-Salta-42", "new_password": "Cactus-Lunar-Verde-8"})
    assert response.status_code == 204
    assert refresh(portal, other["refresh_token"]).status_code == 401
    assert refresh(portal, this["refresh_token"]).status_code == 200
    assert portal.login("ana@demo.mx", "Cactus-Lunar-Verde-8").status_code == 200


def test_jwks_verifies_the_tokens(portal):
    body = signed_in(portal)
    jwks = portal.client.get("/.well-known/jwks.json").get_json()
    [key] = jwks["keys"]
    public = jwt.PyJWK.from_dict(key).key
    claims = jwt.decode(body["access_token"], public, algorithms=["RS256"], audience="portal")
    assert claims["name"] == "ana@demo.mx"
