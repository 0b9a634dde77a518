"""Errors as application/problem+json (RFC 9457), with validation errors by field."""
from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

PROBLEM_JSON = "application/problem+json"
VALIDATION_TYPE = "/problems/validation"
log = logging.getLogger(__name__)


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        type_: str = "about:blank",
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ):
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type_
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions

    @classmethod
    def validation(cls, errors: dict[str, Any], detail: str | None = None) -> "Problem":
        fields_named = ", ".join(sorted(errors))
        return cls(
            422,
            "Validation failed",
            detail or f"Invalid or missing: {fields_named}.",
            type_=VALIDATION_TYPE,
            errors=errors,
        )

    def to_response(self) -> Response:
        return problem_response(
            self.status, self.title, self.detail, type_=self.type, errors=self.errors,
            headers=self.headers, **self.extensions,
        )


def problem_response(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    *,
    type_: str = "about:blank",
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body: dict[str, Any] = {"type": type_, "title": title or HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extensions)
    response = Response(json.dumps(body, default=str), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _field_errors(messages: Any) -> dict[str, Any]:
    """webargs reports errors by location ({"json": {...}, "query": {...}}); name the fields."""
    errors: dict[str, Any] = {}
    if not isinstance(messages, dict):
        return {"body": messages}
    for location, located in messages.items():
        if isinstance(located, dict):
            for name, value in located.items():
                # marshmallow names the whole-body error "_schema": that is the body itself.
                errors["body" if name == "_schema" else name] = value
        else:
            errors["body" if location in {"json", "form"} else location] = located
    return errors


def _http_exception(exc: HTTPException) -> Response:
    if isinstance(exc, RequestEntityTooLarge):
        return problem_response(
            413, "Request body too large", "The request body exceeds the allowed size.",
            errors={"body": ["Request body too large."]},
        )
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    status = exc.code or 500
    if messages is not None:
        errors = _field_errors(messages)
        if status == 400:
            return problem_response(400, "Malformed request", "The request body is not valid JSON.",
                                    type_=VALIDATION_TYPE, errors=errors)
        return Problem.validation(errors).to_response()
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem_response(status, HTTPStatus(status).phrase, exc.description, headers=headers)


def register_problem_handlers(app: Flask) -> None:
    app.register_error_handler(Problem, lambda exc: exc.to_response())
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(
        ValidationError, lambda exc: Problem.validation(_field_errors({"json": exc.messages})).to_response()
    )

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # noqa: ANN202 - Flask handler
        log.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "An unexpected error occurred.")
