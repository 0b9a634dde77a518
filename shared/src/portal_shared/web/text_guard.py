"""Refuses text holding the NUL character before any view sees it.

PostgreSQL cannot store U+0000 in a text column: such a value would get as far as the INSERT and
fail there, as a 500. JSON allows it ("\\u0000"), so every service checks request bodies and query
strings once, here, and answers 422 naming the field, with nothing written.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request

from portal_shared.errors import invalid

NUL = "\x00"
MESSAGE = "Text cannot contain the NUL character (U+0000)."


def nul_fields(value: Any) -> dict[str, Any]:
    """Where NUL occurs in parsed JSON, shaped like marshmallow's errors: {"items": {"0": {"name": [...]}}}."""
    found: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if NUL in name:
                found[name.replace(NUL, "\\u0000")] = [MESSAGE]
            elif isinstance(item, str):
                if NUL in item:
                    found[name] = [MESSAGE]
            else:
                nested = nul_fields(item)
                if nested:
                    found[name] = nested
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                if NUL in item:
                    found[str(index)] = [MESSAGE]
            else:
                nested = nul_fields(item)
                if nested:
                    found[str(index)] = nested
    return found


def init_text_guard(app: Flask) -> None:
    @app.before_request
    def _refuse_nul():
        errors = {name: [MESSAGE] for name, values in request.args.lists()
                  if NUL in name or any(NUL in value for value in values)}
        # Read before the view runs: a view's own larger limit (web/body_limit.py) is set already.
        if request.is_json and request.content_length:
            # Parsed once: the view's own get_json() returns Flask's cached result.
            body = request.get_json(silent=True)
            if isinstance(body, str):
                if NUL in body:
                    errors["json"] = [MESSAGE]
            elif body is not None:
                errors.update(nul_fields(body))
        if errors:
            raise invalid(errors)
