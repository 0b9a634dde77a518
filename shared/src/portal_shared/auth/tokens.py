"""Verifying identity's signed access tokens.

Identity signs with a private key and publishes the public keys as JWKS; every other
process verifies with those. Verified claims are kept until the token expires, because a
token is checked on every request of every customer and the signature check is the
costliest part of it.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Any, Protocol

import jwt

from portal_shared.auth.principal import Principal
from portal_shared.auth.revocation import RevocationList

ACCESS = "access"
# Granted by the first sign-in with the public RFC: good for nothing but the activation step.
ACTIVATION = "activation"

ISSUER = "portal-identity"
AUDIENCE = "portal"
ALGORITHMS = ["RS256"]


class InvalidToken(Exception):
    pass


class RevokedToken(InvalidToken):
    """Well signed and unexpired, but identity has ended the access it grants."""


class KeySource(Protocol):
    def key_for(self, token: str) -> Any: ...


class StaticKeySource:
    """Keys given up front: for identity itself and for tests."""

    def __init__(self, jwks: dict[str, Any]):
        self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys}

    def key_for(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token).get("kid")
        try:
            return self._keys[kid].key
        except KeyError:
            raise InvalidToken("token signed with an unknown key") from None


class JwksKeySource:
    """Keys fetched from identity's JWKS URL; fetched again when an unknown key id appears."""

    def __init__(self, url: str, *, timeout: float = 3.0, lifespan: int = 300):
        self._client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=lifespan, timeout=timeout)

    def key_for(self, token: str) -> Any:
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise KeysUnavailable(str(exc)) from exc
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(str(exc)) from exc


class KeysUnavailable(Exception):
    """The published keys could not be fetched: the caller's fault is unknown, so not a 401."""


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str = ISSUER,
        audience: str = AUDIENCE,
        leeway_seconds: int = 5,
        cache_size: int = 20000,
        revocations: RevocationList | None = None,
    ):
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._revocations = revocations

    def verify(self, token: str) -> Principal:
        principal = self._verified(token)
        if self._revocations is not None and self._revocations.refused(principal):
            raise RevokedToken("the access this token grants was revoked")
        return principal

    def _verified(self, token: str) -> Principal:
        now = time.time()
        with self._lock:
            cached = self._cache.get(token)
            if cached is not None:
                if cached.expires_at.timestamp() + self._leeway > now:
                    self._cache.move_to_end(token)
                    return cached
                del self._cache[token]
        principal = self._verify_signature(token)
        with self._lock:
            self._cache[token] = principal
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    def _verify_signature(self, token: str) -> Principal:
        try:
            key = self._keys.key_for(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "typ", "roles"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        roles = claims.get("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("roles claim malformed")
        return Principal(
            user_id=str(claims["sub"]),
            customer_id=claims.get("cid"),
            roles=frozenset(roles),
            token_type=str(claims["typ"]),
            session_id=claims.get("sid"),
            username=str(claims.get("name", "")),
            expires_at=datetime.fromtimestamp(claims["exp"], tz=timezone.utc),
            issued_at=float(claims["iat"]),
        )
