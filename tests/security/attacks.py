"""Helpers of the security suites: where to aim (the gateway and each service's own web tier),
how to mint tokens the way identity does (and the ways an attacker would), and what a refusal
must look like."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from portal_gateway.routing import resolve
from portal_shared.auth.signing import key_id
from stack import Stack

PROBLEM = "application/problem+json"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def targets(stack: Stack, path: str) -> dict[str, str]:
    """Base URLs that answer `path`: the gateway, and the service that owns it, called directly."""
    service = resolve(path)
    assert service is not None, f"no service owns {path}"
    return {"gateway": stack.gateway_url, service.name: stack.service_urls[service.key]}


def identity_private_key(stack: Stack) -> rsa.RSAPrivateKey:
    """identity's signing key, as the running stack created it (JWT_PRIVATE_KEY_PATH's default)."""
    path = Path(stack.log_dir) / "var" / "identity" / "jwt-private.pem"
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict, claims: dict, signature: bytes = b"") -> str:
    """A compact JWT put together by hand, as an attacker would (no library refuses anything)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(signature)}"


def hs256_token(header: dict, claims: dict, secret: bytes) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def rs256_token(key: rsa.RSAPrivateKey, claims: dict, kid: str | None = "") -> str:
    """Signed with `key`; kid "" means the key's own id (what identity puts), None leaves it out."""
    headers = {} if kid is None else {"kid": kid or key_id(key)}
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def fresh_claims(template: dict, **changes) -> dict:
    """A genuine token's claims with a new lifetime (issued now, 10 minutes), then `changes`.

    A change whose value is None removes the claim.
    """
    now = int(time.time())
    claims = {**template, "iat": now, "exp": now + 600, "jti": f"sec-{now}-{id(changes)}"}
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def assert_problem_status(response, statuses: int | set[int], what: str) -> dict:
    """A problem+json answer with one of these statuses (never a 200, never a 5xx)."""
    allowed = {statuses} if isinstance(statuses, int) else statuses
    assert response.status_code in allowed, f"{what}: {response.status_code} {response.text[:300]}"
    content_type = response.headers.get("Content-Type", "")
    assert content_type.startswith(PROBLEM), f"{what}: Content-Type {content_type!r}"
    body = response.json()
    assert body.get("status") == response.status_code, f"{what}: {body}"
    return body


def browser_session(base: str, email: str, password: str) -> requests.Session:
    """A browser's cookie session signed in through the sign-in form, CSRF token and all."""
    session = requests.Session()
    token = csrf_token(session, f"{base}/login")
    signed_in = session.post(f"{base}/login", data={"csrf_token": token, "username": email, "password": password},
                             allow_redirects=False, timeout=15)
    assert signed_in.status_code in (302, 303), signed_in.text[:300]
    assert session.get(f"{base}/", allow_redirects=False, timeout=15).status_code == 200
    return session


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=15)
    match = CSRF_FIELD.search(page.text)
    assert match, f"no csrf_token field on {url}"
    return match.group(1)
