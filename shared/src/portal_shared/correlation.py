"""The correlation id that follows one request across HTTP calls and messages."""
from __future__ import annotations

import contextvars
import uuid

HEADER = "X-Correlation-ID"
MESSAGE_HEADER = "correlation_id"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def get_correlation_id() -> str | None:
    return _current.get()


def set_correlation_id(value: str | None) -> contextvars.Token:
    return _current.set(value)


def reset_correlation_id(token: contextvars.Token) -> None:
    _current.reset(token)


def sanitize(value: str | None) -> str | None:
    """Accept a caller's id only if it is short and printable, so logs cannot be forged."""
    if not value or len(value) > 128:
        return None
    if not all(ch.isalnum() or ch in "-_.:" for ch in value):
        return None
    return value
