"""Why a request was refused, as a stable machine code every service and the gateway share.

A service declares each refusal once, in its own catalogue, with the HTTP status and a short
English title; a use case raises it with a detail for API clients and, where fields are to blame,
their messages keyed by the field's dotted path ("items.0.amount"). The shared app builder turns
every UseCaseError into one application/problem+json shape; the codes are listed in each
service's OpenAPI document and are what the gateway translates for people.

Nothing here imports Flask: the domain and service layers raise these.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

FieldErrors = dict[str, list[str]]
_CODE = re.compile(r"^[a-z]+(?:_[a-z]+)*\.[a-z0-9]+(?:_[a-z0-9]+)*$")


@dataclass(frozen=True)
class ErrorCode:
    """One kind of refusal: raise it by calling it with what this occurrence says."""

    code: str
    status: int
    title: str

    def __call__(self, detail: str | None = None, *, errors: Mapping[str, Any] | None = None,
                 field_codes: Mapping[str, str | list[str]] | None = None, headers: Mapping[str, str] | None = None,
                 **extensions: Any) -> "UseCaseError":
        return UseCaseError(self, detail, errors=errors, field_codes=field_codes, headers=headers, **extensions)


class UseCaseError(Exception):
    """A refusal the caller can act on; never a fault of the service."""

    def __init__(self, error: ErrorCode, detail: str | None = None, *, errors: Mapping[str, Any] | None = None,
                 field_codes: Mapping[str, str | list[str]] | None = None, headers: Mapping[str, str] | None = None,
                 **extensions: Any):
        super().__init__(detail or error.title)
        self.error = error
        self.detail = detail
        self.errors = flat_field_errors(errors) if errors else None
        # A field's own code where it says more than the refusal's ("field.required" in a
        # validation failure); the problem document fills in the rest.
        self.field_codes = dict(field_codes or {})
        self.headers = dict(headers or {})
        self.extensions = extensions

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def title(self) -> str:
        return self.error.title


class ErrorCatalogue:
    """A service's refusals, one code each; the codes are its contract with the gateway."""

    def __init__(self, *catalogues: "ErrorCatalogue") -> None:
        self._codes: dict[str, ErrorCode] = {}
        self._field_codes: dict[str, str] = {}
        for catalogue in catalogues:
            for error in catalogue:
                self._add(error)
            self._field_codes.update(catalogue.field_codes)

    def define(self, code: str, status: int, title: str) -> ErrorCode:
        if not _CODE.match(code):
            raise ValueError(f"error code {code!r} is not 'area.snake_case'")
        if not 400 <= status <= 599:
            raise ValueError(f"error code {code!r} has status {status}, not an error")
        return self._add(ErrorCode(code, status, title))

    def define_field(self, code: str, title: str) -> str:
        """A code for one message about one field (a password rule), not a refusal of its own:
        what field_codes may name beside portal_shared.web.field_codes."""
        if not _CODE.match(code):
            raise ValueError(f"field code {code!r} is not 'area.snake_case'")
        self._field_codes[code] = title
        return code

    @property
    def field_codes(self) -> dict[str, str]:
        return dict(self._field_codes)

    def _add(self, error: ErrorCode) -> ErrorCode:
        known = self._codes.get(error.code)
        if known is not None and known != error:
            raise ValueError(f"error code {error.code!r} defined twice, differently")
        self._codes[error.code] = error
        return error

    def __iter__(self) -> Iterator[ErrorCode]:
        return iter(sorted(self._codes.values(), key=lambda error: error.code))

    def __contains__(self, code: object) -> bool:
        return code in self._codes

    def __getitem__(self, code: str) -> ErrorCode:
        return self._codes[code]


def flat_field_errors(errors: Mapping[str, Any], prefix: str = "") -> FieldErrors:
    """Field messages by dotted path, the one shape every problem uses:
    {"items": {"0": {"amount": ["…"]}}} becomes {"items.0.amount": ["…"]}; marshmallow's
    whole-body "_schema" is the body itself."""
    flat: FieldErrors = {}
    for key, value in errors.items():
        if key == "_schema":
            name = prefix or "body"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(flat_field_errors(value, name))
        elif isinstance(value, (list, tuple)) and all(isinstance(message, str) for message in value):
            flat.setdefault(name, []).extend(value)
        elif isinstance(value, (list, tuple)):
            flat.update(flat_field_errors({str(index): item for index, item in enumerate(value)}, name))
        else:
            flat.setdefault(name, []).append(str(value))
    return flat


# Refusals any service or the gateway may answer before or around its own use cases.
COMMON = ErrorCatalogue()
INVALID = COMMON.define("request.invalid", 422, "Validation failed")
MALFORMED = COMMON.define("request.malformed", 400, "Malformed request")
NOT_FOUND = COMMON.define("request.not_found", 404, "Not found")
METHOD_NOT_ALLOWED = COMMON.define("request.method_not_allowed", 405, "Method not allowed")
TOO_LARGE = COMMON.define("request.too_large", 413, "Request body too large")
CONFLICT = COMMON.define("request.conflict", 409, "Conflict")
REFUSED = COMMON.define("request.refused", 400, "Request refused")
UNEXPECTED = COMMON.define("server.unexpected", 500, "Internal Server Error")
AUTH_REQUIRED = COMMON.define("auth.required", 401, "Authentication required")
AUTH_INVALID = COMMON.define("auth.invalid_token", 401, "Invalid token")
AUTH_REVOKED = COMMON.define("auth.revoked", 401, "Access revoked")
AUTH_KEYS_UNAVAILABLE = COMMON.define("auth.keys_unavailable", 503, "Token keys unavailable")
ACTIVATION_REQUIRED = COMMON.define("auth.activation_required", 403, "Activation required")
FORBIDDEN = COMMON.define("auth.forbidden", 403, "Forbidden")
# The request body as such (portal_shared.web.json_body): before any view reads it.
BODY_UNSUPPORTED_MEDIA_TYPE = COMMON.define("body.unsupported_media_type", 415, "Unsupported media type")
BODY_NOT_UTF8 = COMMON.define("body.not_utf8", 400, "Invalid request body")
BODY_INVALID_JSON = COMMON.define("body.invalid_json", 400, "Invalid request body")
BODY_TOO_DEEP = COMMON.define("body.too_deep", 400, "Invalid request body")
BODY_NUMBER_TOO_LONG = COMMON.define("body.number_too_long", 400, "Invalid request body")
BODY_INVALID_UNICODE = COMMON.define("body.invalid_unicode", 400, "Invalid request body")


# What one field's message is about, whichever service says it (portal_shared.web.field_codes
# finds these in marshmallow's messages; a use case may name one for a message of its own).
FIELD_REQUIRED = "field.required"
FIELD_INVALID = "field.invalid"
FIELD_INVALID_EMAIL = "field.invalid_email"
FIELD_INVALID_DATE = "field.invalid_date"
FIELD_INVALID_NUMBER = "field.invalid_number"
FIELD_TOO_SHORT = "field.too_short"
FIELD_TOO_LONG = "field.too_long"
FIELD_INVALID_LENGTH = "field.invalid_length"
FIELD_OUT_OF_RANGE = "field.out_of_range"
FIELD_NOT_A_CHOICE = "field.not_a_choice"
FIELD_UNKNOWN = "field.unknown"
FIELD_CODES = (FIELD_REQUIRED, FIELD_INVALID, FIELD_INVALID_EMAIL, FIELD_INVALID_DATE, FIELD_INVALID_NUMBER,
               FIELD_TOO_SHORT, FIELD_TOO_LONG, FIELD_INVALID_LENGTH, FIELD_OUT_OF_RANGE, FIELD_NOT_A_CHOICE,
               FIELD_UNKNOWN)


def invalid(errors: Mapping[str, Any], detail: str | None = None, *, error: ErrorCode = INVALID,
            field_codes: Mapping[str, str | list[str]] | None = None) -> UseCaseError:
    """A validation refusal naming its fields: "Invalid or missing: a, b." unless told otherwise."""
    flat = flat_field_errors(errors)
    return error(detail or f"Invalid or missing: {', '.join(sorted(flat))}.", errors=flat, field_codes=field_codes)
