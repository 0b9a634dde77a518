"""Failures of the use cases, each with the HTTP status the API answers with."""
from __future__ import annotations


class PaymentError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(PaymentError):
    status, title = 404, "Not found"


class Invalid(PaymentError):
    status, title = 422, "Validation failed"


class InTransit(PaymentError):
    status, title = 409, "Payment in transit"


class Unauthorized(PaymentError):
    status, title = 401, "Invalid signature"


class BankDown(PaymentError):
    status, title = 503, "Bank unavailable"


class Unconfirmed(PaymentError):
    """A correctly signed notification the bank's own status API does not bear out."""

    status, title = 409, "Not confirmed by the bank"
