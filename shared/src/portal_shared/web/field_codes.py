"""A stable code for each field message of a validation refusal, so the gateway can say it in the
person's language: marshmallow's messages are English sentences for API clients, and the words
may change between its versions; the codes do not.

The codes are derived from marshmallow's own message templates (every field class's
default_error_messages and the validators' messages), so a message marshmallow can produce has a
code without this module listing its text. A message written by a service itself is
"field.invalid" unless the service names a code of its own.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Mapping

from marshmallow import Schema, fields, validate

from portal_shared.errors import (
    FIELD_CODES,
    FIELD_INVALID,
    FIELD_INVALID_DATE,
    FIELD_INVALID_EMAIL,
    FIELD_INVALID_LENGTH,
    FIELD_INVALID_NUMBER,
    FIELD_NOT_A_CHOICE,
    FIELD_OUT_OF_RANGE,
    FIELD_REQUIRED,
    FIELD_TOO_LONG,
    FIELD_TOO_SHORT,
    FIELD_UNKNOWN,
)

__all__ = ["FIELD_CODES", "field_code", "field_codes"]

_PLACEHOLDER = re.compile(r"(\{+[^{}]*\}+)")


def _field_code(cls: type, key: str) -> str:
    if key in ("required", "null"):
        return FIELD_REQUIRED
    if issubclass(cls, fields.Email):
        return FIELD_INVALID_EMAIL
    if issubclass(cls, (fields.Date, fields.DateTime, fields.Time, fields.TimeDelta)):
        return FIELD_INVALID_DATE
    if issubclass(cls, fields.Number):
        return FIELD_INVALID_NUMBER
    if issubclass(cls, fields.Enum):
        return FIELD_NOT_A_CHOICE
    return FIELD_INVALID


def _validator_code(cls: type, attribute: str) -> str:
    if issubclass(cls, validate.Email):
        return FIELD_INVALID_EMAIL
    if issubclass(cls, validate.Length):
        return {"message_min": FIELD_TOO_SHORT, "message_max": FIELD_TOO_LONG}.get(attribute, FIELD_INVALID_LENGTH)
    if issubclass(cls, validate.Range):
        return FIELD_OUT_OF_RANGE
    if issubclass(cls, (validate.OneOf, validate.ContainsOnly)):
        return FIELD_NOT_A_CHOICE
    return FIELD_INVALID


def _templates() -> Iterator[tuple[str, str]]:
    for _name, cls in inspect.getmembers(fields, inspect.isclass):
        if issubclass(cls, fields.Field):
            for key, template in cls.default_error_messages.items():
                yield template, _field_code(cls, key)
    for _name, cls in inspect.getmembers(validate, inspect.isclass):
        if issubclass(cls, validate.Validator):
            for attribute, template in vars(cls).items():
                # Range's comparison words ("greater than") are parts of its messages, not messages.
                if attribute in ("default_message", "message_min", "message_max", "message_all", "message_equal"):
                    yield template, _validator_code(cls, attribute)
    yield Schema._default_error_messages["unknown"], FIELD_UNKNOWN
    yield Schema._default_error_messages["type"], FIELD_INVALID


def _index() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    exact: dict[str, str] = {}
    patterns: dict[str, str] = {}
    for template, code in _templates():
        if _PLACEHOLDER.search(template):
            # split() keeps the placeholders at the odd places: each stands for any text.
            parts = _PLACEHOLDER.split(template)
            pattern = "".join(".+" if index % 2 else re.escape(part) for index, part in enumerate(parts))
            patterns.setdefault(pattern, code)
        else:
            exact.setdefault(template, code)
    # The template with the most fixed text first: "Not a valid {obj_type}." must not win over a
    # longer one that also matches.
    ordered = sorted(patterns.items(), key=lambda item: -len(item[0].replace(".+", "")))
    return exact, [(re.compile(f"^{pattern}$", re.DOTALL), code) for pattern, code in ordered]


_EXACT, _PATTERNS = _index()


def field_code(message: str) -> str:
    """The code of one of marshmallow's messages; "field.invalid" for any other."""
    code = _EXACT.get(message)
    if code is not None:
        return code
    for pattern, pattern_code in _PATTERNS:
        if pattern.match(message):
            return pattern_code
    return FIELD_INVALID


def field_codes(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The code of each message of each field, in the same order."""
    return {name: [field_code(message) for message in messages] for name, messages in errors.items()}
