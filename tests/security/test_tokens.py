"""Forged, stale and revoked tokens, sent through the gateway and straight to each service's web
tier: every one is a 401 problem+json, never a 200 and never a 5xx.

What is checked (shared/src/portal_shared/auth/tokens.py): RS256 only, the signature against a
key identity publishes (by kid), exp/iat/sub/typ/roles present, exp not past (5 s leeway),
iss "portal-identity", aud "portal", typ "access" for the API.
"""
from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives import serialization

from attacks import (
    assert_problem_status,
    claims_of,
    fresh_claims,
    hs256_token,
    identity_private_key,
    rs256_token,
    targets,
    unsigned_token,
)
from portal_shared.auth.signing import generate_private_key, key_id
from stack import Api, Stack, link_token, wait_until

# One protected read per service, each admitted for a customer admin.
PROTECTED = ("/api/v1/me", "/api/v1/invoices", "/api/v1/payments", "/api/v1/devices")


def _calls(stack: Stack):
    """(where, url) for every protected read, through the gateway and direct."""
    for path in PROTECTED:
        for where, base in targets(stack, path).items():
            yield f"{where} {path}", base + path


def _bearer(api: Api, url: str, token: str):
    return api.http.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=15)


def _forgeries(stack: Stack, genuine: str) -> dict[str, str]:
    real_key = identity_private_key(stack)
    kid = key_id(real_key)
    template = claims_of(genuine)
    public = real_key.public_key()
    spki_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    pkcs1_pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    stranger = generate_private_key()
    now = int(time.time())
    claims = fresh_claims(template)
    return {
        "alg none": unsigned_token({"alg": "none", "typ": "JWT", "kid": kid}, claims),
        "alg None": unsigned_token({"alg": "None", "typ": "JWT", "kid": kid}, claims),
        "alg none with the genuine signature": _with_header(genuine, {"alg": "none", "kid": kid}),
        "HS256 keyed with the public key (SPKI PEM)": hs256_token({"alg": "HS256", "typ": "JWT", "kid": kid}, claims, spki_pem),
        "HS256 keyed with the public key (PKCS1 PEM)": hs256_token({"alg": "HS256", "typ": "JWT", "kid": kid}, claims, pkcs1_pem),
        "expired a minute ago": rs256_token(real_key, fresh_claims(template, iat=now - 660, exp=now - 60)),
        "no exp": rs256_token(real_key, fresh_claims(template, exp=None)),
        "wrong audience": rs256_token(real_key, fresh_claims(template, aud="another-portal")),
        "no audience": rs256_token(real_key, fresh_claims(template, aud=None)),
        "wrong issuer": rs256_token(real_key, fresh_claims(template, iss="https://evil.example")),
        "no issuer": rs256_token(real_key, fresh_claims(template, iss=None)),
        "a refresh-type token": rs256_token(real_key, fresh_claims(template, typ="refresh")),
        "unknown kid, another key": rs256_token(stranger, claims, kid="not-a-published-key"),
        "no kid, another key": rs256_token(stranger, claims, kid=None),
        "the published kid, another key": rs256_token(stranger, claims, kid=kid),
        "roles edited after signing": _edited(genuine, {**template, "roles": ["operator"]}),
        "garbage": "not.a.jwt",
    }


def _with_header(genuine: str, header: dict) -> str:
    _, body, signature = genuine.split(".")
    return f"{unsigned_token(header, {}).split('.')[0]}.{body}.{signature}"


def _edited(genuine: str, claims: dict) -> str:
    header, _, signature = genuine.split(".")
    body = unsigned_token({}, claims).split(".")[1]
    return f"{header}.{body}.{signature}"


@pytest.mark.needs_processes("signs tokens with identity's own key, read from the files of the processes the suite started")
def test_forged_and_stale_tokens_are_refused_everywhere(stack: Stack, api: Api, activated_admin):
    _, _, _, tokens = activated_admin()
    genuine = tokens["access_token"]
    # The genuine token opens every door first, so a refusal below is the forgery's doing.
    for where, url in _calls(stack):
        # billing answers 404 for a customer until identity's customer.registered has reached it.
        wait_until(lambda u=url: _bearer(api, u, genuine).status_code == 200, what=f"{where} with the genuine token")
    # The same claims, re-signed with identity's own key, are accepted too: the forgeries differ
    # from a genuine token only in what each names.
    resigned = rs256_token(identity_private_key(stack), fresh_claims(claims_of(genuine)))
    for where, url in _calls(stack):
        assert _bearer(api, url, resigned).status_code == 200, f"{where}: re-signed genuine claims"

    wrong: list[str] = []
    for name, token in _forgeries(stack, genuine).items():
        for where, url in _calls(stack):
            response = _bearer(api, url, token)
            try:
                assert_problem_status(response, 401, f"{name} at {where}")
            except AssertionError as failure:
                wrong.append(str(failure))
    assert not wrong, "\n".join(wrong)


@pytest.mark.needs_processes("signs tokens with identity's own key, read from the files of the processes the suite started")
def test_logout_revokes_the_refresh_token_and_the_access_token_everywhere(stack: Stack, api: Api, activated_admin):
    """What logout promises (docs/api.md): the refresh token's family is revoked at once, so no
    new access token can be had with it, and the access token already issued is refused by every
    verifier as soon as identity.access.revoked reaches it (tests/e2e/test_access_revocation.py
    measures how soon), long before its 10 minutes are over; past them it is refused anyway."""
    _, email, password, _ = activated_admin()
    signed_in = api.login(email, password)
    access, refresh = signed_in["access_token"], signed_in["refresh_token"]
    assert api.post("/api/v1/auth/logout", {"refresh_token": refresh}).status_code == 204

    for where, base in targets(stack, "/api/v1/auth/refresh").items():
        again = api.http.post(f"{base}/api/v1/auth/refresh", json={"refresh_token": refresh}, timeout=15)
        assert_problem_status(again, 401, f"refresh after logout at {where}")

    claims = claims_of(access)
    assert claims["exp"] - claims["iat"] <= 600, claims
    assert signed_in["expires_in"] <= 600, signed_in
    for where, url in _calls(stack):
        wait_until(lambda u=url: _bearer(api, u, access).status_code == 401,
                   what=f"{where} to refuse the logged-out access token within its lifetime")
    # Past its lifetime (the same claims, as if 10 minutes had gone by) it is refused everywhere.
    now = int(time.time())
    aged = rs256_token(identity_private_key(stack), {**claims, "iat": now - 610, "exp": now - 10})
    for where, url in _calls(stack):
        assert_problem_status(_bearer(api, url, aged), 401, f"the logged-out access token once expired at {where}")


def test_password_change_revokes_every_other_sign_in(stack: Stack, api: Api, activated_admin):
    """A password change keeps the session that made it and revokes every other refresh token."""
    _, email, password, _ = activated_admin()
    changing = api.login(email, password)
    other = api.login(email, password)
    new_password = f"{password}-Nueva"
    changed = api.post("/api/v1/auth/password", {"current_password": password, "new_password": new_password},
                       token=changing["access_token"])
    assert changed.status_code == 204, changed.text

    for where, base in targets(stack, "/api/v1/auth/refresh").items():
        refused = api.http.post(f"{base}/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]}, timeout=15)
        assert_problem_status(refused, 401, f"another session's refresh after the change at {where}")
    kept = api.post("/api/v1/auth/refresh", {"refresh_token": changing["refresh_token"]})
    assert kept.status_code == 200, kept.text
    assert_problem_status(api.post("/api/v1/auth/login", {"username": email, "password": password}), 401,
                          "the old password")


@pytest.mark.parametrize("where", ["gateway", "identity-service"])
def test_password_reset_revokes_every_sign_in(stack: Stack, api: Api, activated_admin, where: str):
    """A reset by mailed link revokes every refresh token of the user, the current ones included."""
    _, email, password, _ = activated_admin()
    sessions = [api.login(email, password) for _ in range(2)]
    assert api.post("/api/v1/auth/recover", {"email": email}).status_code == 202
    mail = next(m for m in stack.wait_for_mail(email, count=2) if "/reset-password?token=" in m["text"])
    token = link_token(mail, "/reset-password")
    assert api.post("/api/v1/auth/reset", {"token": token, "new_password": f"{password}-Reset"}).status_code == 204

    base = targets(stack, "/api/v1/auth/refresh")[where]
    for number, session in enumerate(sessions):
        refused = api.http.post(f"{base}/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]}, timeout=15)
        assert_problem_status(refused, 401, f"session {number}'s refresh after the reset at {where}")
