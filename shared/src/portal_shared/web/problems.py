"""Every refusal as one application/problem+json shape (RFC 9457):

    {"type", "title", "status", "code", "detail"?, "errors"?: {"dotted.field": ["…"]},
     "field_codes"?: {"dotted.field": ["field.required"]}, …}

`code` is the stable machine code (portal_shared.errors); `errors` names each field to blame by
its dotted path, in English for API clients; `field_codes` gives each of those messages a stable
code (portal_shared.web.field_codes, a service's own field code, or the refusal's own code) that
the gateway says in the person's language. register_problem_handlers is the only error handling a service registers: views
raise, they never catch.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from flask import Flask, Response
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from portal_shared import errors as common
from portal_shared.errors import ErrorCode, UseCaseError, flat_field_errors, invalid
from portal_shared.web.field_codes import field_codes as derived_field_codes

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

# The HTTP errors Flask and werkzeug raise themselves (unknown route, wrong method), by status.
_HTTP_CODES: dict[int, ErrorCode] = {
    400: common.MALFORMED,
    401: common.AUTH_REQUIRED,
    403: common.FORBIDDEN,
    404: common.NOT_FOUND,
    405: common.METHOD_NOT_ALLOWED,
    409: common.CONFLICT,
    413: common.TOO_LARGE,
    415: common.BODY_UNSUPPORTED_MEDIA_TYPE,
    422: common.INVALID,
}


def problem_document(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str,
    errors: dict[str, Any] | None = None,
    field_codes: dict[str, str | list[str]] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    """The one shape, for the services' Flask apps and the gateway's own WSGI answers alike."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
        body["field_codes"] = codes_of_fields(code, errors, field_codes)
    body.update(extensions)
    return body


def codes_of_fields(code: str, errors: dict[str, list[str]],
                    given: dict[str, str | list[str]] | None = None) -> dict[str, list[str]]:
    """The code of each field message: the one given, else what the message says in a plain
    validation failure, else the refusal's own (the field it names is why, e.g.
    identity.email_in_use)."""
    derived = derived_field_codes(errors) if code in (common.INVALID.code, common.MALFORMED.code) else {}
    codes: dict[str, list[str]] = {}
    for name, messages in errors.items():
        named = (given or {}).get(name)
        if isinstance(named, str):
            named = [named] * len(messages)
        codes[name] = list(named or derived.get(name) or [code] * len(messages))
    return codes


def refusal_document(refusal: UseCaseError) -> dict[str, Any]:
    return problem_document(refusal.status, refusal.title, refusal.detail, code=refusal.code,
                            errors=refusal.errors, field_codes=refusal.field_codes, **refusal.extensions)


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    code: str,
    errors: dict[str, Any] | None = None,
    field_codes: dict[str, str | list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body = problem_document(status, title, detail, code=code, errors=errors, field_codes=field_codes, **extensions)
    response = Response(json.dumps(body, default=str), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def use_case_problem(exc: UseCaseError) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, code=exc.code, errors=exc.errors,
                            field_codes=exc.field_codes, headers=exc.headers, **exc.extensions)


def _located_field_errors(messages: Any) -> dict[str, Any]:
    """webargs reports errors by location ({"json": {...}, "query": {...}}); name the fields."""
    if not isinstance(messages, dict):
        return {"body": messages}
    located: dict[str, Any] = {}
    for location, by_field in messages.items():
        if isinstance(by_field, dict):
            located.update(by_field)
        else:
            located["body" if location in {"json", "form"} else location] = by_field
    return flat_field_errors(located)


def _http_exception(exc: HTTPException) -> Response:
    if isinstance(exc, RequestEntityTooLarge):
        return use_case_problem(common.TOO_LARGE("The request body exceeds the allowed size.",
                                                 errors={"body": ["Request body too large."]}))
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    status = exc.code or 500
    if messages is not None:
        errors = _located_field_errors(messages)
        if status == 400:
            return use_case_problem(common.MALFORMED("The request body is not valid JSON.", errors=errors))
        return use_case_problem(invalid(errors))
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    error = _HTTP_CODES.get(status, common.REFUSED)
    return problem_response(status, exc.name, exc.description, code=error.code, headers=headers)


def _concurrent_write(exc: IntegrityError) -> Response:
    # A unique key another request wrote between this one's read and its commit: worth a retry.
    log.warning("write refused by the database: %s", exc.orig)
    return use_case_problem(common.CONFLICT("This conflicts with data saved at the same moment; try again."))


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return use_case_problem(common.UNEXPECTED("An unexpected error occurred."))


def register_problem_handlers(app: Flask) -> None:
    app.register_error_handler(UseCaseError, use_case_problem)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(IntegrityError, _concurrent_write)
    app.register_error_handler(ValidationError, lambda exc: use_case_problem(invalid(exc.messages)))
    app.register_error_handler(Exception, _unexpected)
