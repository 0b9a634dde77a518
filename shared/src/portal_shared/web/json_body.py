"""One way a request body becomes JSON, for every service and the gateway.

Python's json module takes far more than an API should: nesting deep enough to exhaust the
interpreter's recursion (RecursionError), integers of thousands of digits (ValueError past 4300),
lone UTF-16 surrogates such as "\\ud800" that no database or log can encode, NaN and Infinity, a
byte order mark, and a body sent as text/plain or as a form that the view then silently ignores.
Each of those answered 500 or dropped a change. Here every body is refused before any view reads
it, with a 4xx problem+json naming the body and a stable code:

  415 body.unsupported_media_type   a body that is not application/json (or +json)
  400 body.not_utf8                 bytes that are not UTF-8, or a byte order mark
  400 body.invalid_json             not JSON, or NaN / Infinity
  400 body.too_deep                 nested deeper than MAX_DEPTH
  400 body.number_too_long          a number of more than MAX_NUMBER_LENGTH characters
  400 body.invalid_unicode          a lone surrogate in a string or a key
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, request

from portal_shared import errors
from portal_shared.errors import ErrorCode
from portal_shared.web.body_limit import route_pattern

MAX_DEPTH = 32
MAX_NUMBER_LENGTH = 40
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The few routes that also take a file as it is published (not JSON), by method and path as the
# gateway's policy writes them, with the media types each takes: the view reads those bodies
# itself. The gateway and the services both read this table, like body_limit's.
FILE_BODIES: dict[tuple[str, str], frozenset[str]] = {
    # Banxico's FIX series as its SIE download.
    ("POST", "/api/v1/exchange-rates/banxico"): frozenset({"text/csv"}),
}

# Strings (skipped as a whole, escapes included) and the brackets that open or close a level.
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class BodyRefused(errors.UseCaseError):
    """A body no view will read; the field to blame is the body itself."""

    def __init__(self, error: ErrorCode, detail: str):
        super().__init__(error, detail, errors={"body": [detail]})


def is_json_media_type(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _check_depth(text: str) -> None:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group(0)
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyRefused(errors.BODY_TOO_DEEP, f"The body is nested deeper than {MAX_DEPTH} levels.")
        elif token in "]}":
            depth -= 1


def _bounded(convert):
    def parse(text: str):
        if len(text) > MAX_NUMBER_LENGTH:
            raise BodyRefused(errors.BODY_NUMBER_TOO_LONG, f"A number in the body is longer than {MAX_NUMBER_LENGTH} characters.")
        return convert(text)

    return parse


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyRefused(errors.BODY_NUMBER_TOO_LONG, "A number in the body is out of range.")
    return value


def _no_constant(name: str):
    raise BodyRefused(errors.BODY_INVALID_JSON, f"The body is not valid JSON: {name} is not a number JSON allows.")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_unicode(value: Any) -> None:
    # Iterative: the depth is bounded already, but a walk needs no stack of its own.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not _encodable(item):
                raise BodyRefused(errors.BODY_INVALID_UNICODE, "The body holds text that is not valid Unicode (a lone surrogate).")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def is_file_body(method: str, pattern: str | None, content_type: str | None) -> bool:
    """Whether this body is a file the route takes as it is (FILE_BODIES), not JSON to check here."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type in FILE_BODIES.get((method.upper(), pattern or ""), frozenset())


def parse_json_body(raw: bytes, content_type: str | None) -> Any:
    """The body as JSON, or BodyRefused. An empty body is None (nothing was sent)."""
    if not raw:
        return None
    if not is_json_media_type(content_type):
        raise BodyRefused(errors.BODY_UNSUPPORTED_MEDIA_TYPE,
                          "The request body must be JSON, sent with Content-Type: application/json.")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BodyRefused(errors.BODY_NOT_UTF8, "The body starts with a byte order mark; send plain UTF-8.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused(errors.BODY_NOT_UTF8, "The body is not valid UTF-8.") from None
    _check_depth(text)
    try:
        data = json.loads(text, parse_int=_bounded(int), parse_float=_bounded(_finite_float), parse_constant=_no_constant)
    except BodyRefused:
        raise
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise BodyRefused(errors.BODY_INVALID_JSON, f"The body is not valid JSON{where}.") from None
    _check_unicode(data)
    return data


def init_json_bodies(app: Flask) -> None:
    """Every request body of a service is parsed here first, and refused (4xx problem+json) if
    it is not JSON this API takes. Must be registered before anything else reads the body, after
    the body limit (init_body_limits)."""
    @app.before_request
    def _check_json_body():
        if request.method not in BODY_METHODS:
            return
        rule = request.url_rule
        if is_file_body(request.method, route_pattern(rule.rule) if rule is not None else None, request.content_type):
            return
        parse_json_body(request.get_data(cache=True), request.content_type)
