"""Outcomes of the use cases that are not success; the API turns each into a problem document."""
from __future__ import annotations

from typing import Any


class NotFound(Exception):
    """Absent, or out of the caller's reach (another customer's, not assigned): the same answer for both."""


class Invalid(Exception):
    """Input that breaks a rule, by field."""

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None, **extensions: Any):
        super().__init__(detail or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors
        self.detail = detail
        self.extensions = extensions


class Conflict(Exception):
    """The request clashes with the current state (a second reading the same day, a retired device)."""

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None, **extensions: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extensions = extensions


class Forbidden(Exception):
    """Within reach, but the caller's side may not do this (e.g. a customer acknowledging an incident)."""


class Unavailable(Exception):
    """What the answer depends on could not be had from the service that owns it, nor known here."""
