"""Why a use case refused; the HTTP layer turns each into a problem document."""
from __future__ import annotations


class IdentityError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class InvalidInput(IdentityError):
    status = 422
    title = "Validation failed"


class InvalidCredentials(IdentityError):
    status = 401
    title = "Invalid credentials"


class Locked(IdentityError):
    status = 429
    title = "Too many attempts"

    def __init__(self, retry_after: int):
        super().__init__(f"Too many failed attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class Forbidden(IdentityError):
    status = 403
    title = "Forbidden"


class NotFound(IdentityError):
    status = 404
    title = "Not found"


class Conflict(IdentityError):
    status = 409
    title = "Conflict"


class InvalidLink(IdentityError):
    """A mailed link that is unknown, used, expired or no longer applies."""

    status = 400
    title = "Invalid or expired link"

    def __init__(self) -> None:
        super().__init__(
            "This link is not valid any more. Ask for a new one.",
            errors={"token": ["The link is invalid, was already used or has expired."]},
        )


def invalid(field: str, *messages: str) -> InvalidInput:
    return InvalidInput(f"Invalid: {field}.", errors={field: list(messages)})
