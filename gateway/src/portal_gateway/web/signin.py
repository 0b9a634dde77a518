"""The UI session: the tokens identity issued, kept server-side (portal_gateway.sessions).

The access token is short-lived; when it is about to expire the refresh token buys a new
pair, so a user stays signed in while the refresh token lives.
"""
from __future__ import annotations

import time
from typing import Any

from flask import current_app, flash, session
from flask_babel import gettext as _
from portal_shared.auth import ACCESS, InvalidToken, KeysUnavailable, TokenVerifier

from portal_gateway.web import identity

# Refresh this long before expiry, so a page's later calls do not meet an expired token.
REFRESH_MARGIN_SECONDS = 20
_TOKEN_KEYS = ("access_token", "refresh_token", "activation_token")


def begin(tokens: dict[str, Any]) -> None:
    """A sign-in: the session gets a new id, so an id known before sign-in is worth nothing after."""
    session.regenerate()
    store_tokens(tokens)


def begin_activation(token: str) -> None:
    session.regenerate()
    store_activation(token)


def end() -> None:
    """Sign-out: the session is deleted; only the chosen language follows under a new id."""
    language = session.get("lang")
    session.clear()
    session.regenerate()
    if language:
        session["lang"] = language


def store_tokens(tokens: dict[str, Any]) -> None:
    session["access_token"] = tokens["access_token"]
    session["refresh_token"] = tokens.get("refresh_token")
    session.pop("activation_token", None)


def store_activation(token: str) -> None:
    forget_tokens()
    session["activation_token"] = token


def forget_tokens() -> None:
    for key in _TOKEN_KEYS:
        session.pop(key, None)


def holds_a_sign_in() -> bool:
    """Whether this browser's session holds any token (signed in, or in the RFC first sign-in)."""
    return any(key in session for key in _TOKEN_KEYS)


def activation_token() -> str | None:
    return session.get("activation_token")


def _fresh(token: str) -> bool:
    verifier: TokenVerifier = current_app.extensions["portal_verifier"]
    try:
        principal = verifier.verify(token)
    except InvalidToken:
        return False
    except KeysUnavailable:
        return True  # cannot tell here; identity will say if it is not
    return principal.token_type == ACCESS and principal.expires_at.timestamp() - time.time() > REFRESH_MARGIN_SECONDS


def access_token() -> str | None:
    """A usable access token for this browser, refreshed if needed; None = sign in again."""
    token = session.get("access_token")
    if token and _fresh(token):
        return token
    return refresh()


def refresh() -> str | None:
    refresh_token = session.get("refresh_token")
    if not refresh_token:
        forget_tokens()
        return None
    answer = identity.call("POST", "/api/v1/auth/refresh", body={"refresh_token": refresh_token})
    if answer.status != 200 or "access_token" not in answer.body:
        # Signed out elsewhere, disabled, password reset: the sign-in page says why it is shown.
        forget_tokens()
        flash(_("Your session has ended. Sign in again."))
        return None
    store_tokens(answer.body)
    return answer.body["access_token"]
