"""Signing access tokens (identity's job) and publishing the public half as JWKS.

Lives in shared so identity and the tests of every service mint tokens the same way the
verifiers expect them.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from portal_shared.auth.tokens import ACCESS, AUDIENCE, ISSUER


def generate_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create_private_key(path: Path) -> rsa.RSAPrivateKey:
    """Read the signing key; create it on first start so a fresh checkout just runs."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise RuntimeError(f"{path} does not hold an RSA private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_private_key()
    # Written then renamed: two processes starting at once never read half a key.
    temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    temporary.write_bytes(private_key_pem(key))
    temporary.chmod(0o600)
    try:
        path.hardlink_to(temporary)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return load_or_create_private_key(path)


def key_id(key: rsa.RSAPrivateKey) -> str:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    # The RFC 7638 thumbprint would do too; the modulus prefix is stable and short.
    return jwk["n"][:16]


def _published_keys(keys: list[rsa.RSAPrivateKey]) -> dict[str, Any]:
    published = []
    for key in keys:
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        jwk.update({"kid": key_id(key), "use": "sig", "alg": "RS256"})
        published.append(jwk)
    return {"keys": published}


class TokenSigner:
    def __init__(self, keys: list[rsa.RSAPrivateKey], *, issuer: str = ISSUER, audience: str = AUDIENCE):
        """keys[0] signs; the others are still published so tokens they signed stay valid."""
        if not keys:
            raise ValueError("at least one signing key is needed")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        # Both are asked for constantly (every token, every key fetch) and never change.
        self._kid = key_id(keys[0])
        self._derivation_key = hashlib.sha256(
            b"portal key derivation\0"
            + keys[0].private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
        ).digest()
        self._jwks = _published_keys(keys)

    def jwks(self) -> dict[str, Any]:
        return self._jwks

    def derive(self, label: str, data: str) -> str:
        """A secret value derived from `data` with the signing key: the same for every replica that
        holds the key, unguessable to anyone who does not (identity's successor refresh tokens)."""
        return base64.urlsafe_b64encode(
            hmac.new(self._derivation_key, label.encode() + b"\0" + data.encode(), hashlib.sha256).digest()
        ).rstrip(b"=").decode()

    def issue(
        self,
        *,
        user_id: str,
        customer_id: str | None,
        roles: list[str] | frozenset[str],
        username: str = "",
        token_type: str = ACCESS,
        session_id: str | None = None,
        ttl: timedelta = timedelta(minutes=10),
        now: datetime | None = None,
    ) -> str:
        issued = now or datetime.now(timezone.utc)
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": user_id,
            "cid": customer_id,
            "roles": sorted(roles),
            "typ": token_type,
            "sid": session_id,
            "name": username,
            # To the millisecond (a NumericDate may have a fraction): a revocation covers the tokens
            # issued up to its instant, and the refresh right after a role change is not one of them.
            "iat": round(issued.timestamp(), 3),
            "exp": int((issued + ttl).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._keys[0], algorithm="RS256", headers={"kid": self._kid})
