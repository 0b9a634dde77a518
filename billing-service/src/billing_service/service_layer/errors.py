"""What the use cases refuse, by field, for the API to answer with problem+json."""
from __future__ import annotations

from typing import Any


class RowsRefused(Exception):
    """Rows of an import that cannot apply; `errors` is {"<row index>": {"<field>": [message]}}."""

    def __init__(self, errors: dict[str, dict[str, list[str]]], *, conflict: bool = False):
        super().__init__(f"{len(errors)} row(s) refused")
        self.errors = errors
        # A conflict (409) is a row that contradicts what billing already holds; otherwise invalid (422).
        self.conflict = conflict


class NotFound(Exception):
    def __init__(self, what: str, errors: dict[str, Any] | None = None):
        super().__init__(what)
        self.errors = errors


class PaymentDoesNotMatch(Exception):
    """A payment event naming an invoice of another customer or currency: retried, then dead-lettered
    for a person to look at, never applied to the wrong balance."""
