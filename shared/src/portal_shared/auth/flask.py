"""Token checks for Flask services: every protected view names the roles it admits."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, g, request

from portal_shared.auth.principal import Principal
from portal_shared.auth.tokens import ACCESS, ACTIVATION, InvalidToken, KeysUnavailable, RevokedToken, TokenVerifier
from portal_shared import errors

_EXTENSION = "portal_auth"


def init_auth(app, verifier: TokenVerifier) -> None:
    app.extensions[_EXTENSION] = verifier


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(*, allow_types: tuple[str, ...] = (ACCESS,)) -> Principal:
    token = bearer_token()
    if token is None:
        raise errors.AUTH_REQUIRED("Send an access token as 'Authorization: Bearer …'.",
                                   headers={"WWW-Authenticate": "Bearer"})
    verifier: TokenVerifier = current_app.extensions[_EXTENSION]
    try:
        principal = verifier.verify(token)
    except KeysUnavailable as exc:
        raise errors.AUTH_KEYS_UNAVAILABLE("The identity service's keys could not be fetched.") from exc
    except RevokedToken as exc:
        raise errors.AUTH_REVOKED("This access token no longer grants access: refresh it or sign in again.",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    except InvalidToken as exc:
        raise errors.AUTH_INVALID("The access token is invalid or has expired.",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc
    if principal.token_type not in allow_types:
        if principal.token_type == ACTIVATION:
            raise errors.ACTIVATION_REQUIRED(
                "This sign-in only allows choosing a new password and e-mail first.")
        raise errors.AUTH_INVALID("This token cannot be used here.")
    g.principal = principal
    return principal


def current_principal() -> Principal:
    principal = g.get("principal")
    if principal is None:
        raise RuntimeError("current_principal() used in a view without @require_auth")
    return principal


def require_auth(*roles: str, allow_types: tuple[str, ...] = (ACCESS,)) -> Callable:
    """Admit a verified token; with roles, only a token holding at least one of them (else 403)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = authenticate(allow_types=allow_types)
            if roles and not principal.has_any(*roles):
                raise errors.FORBIDDEN("Your role does not allow this.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
