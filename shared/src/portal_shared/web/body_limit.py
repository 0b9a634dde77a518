"""A larger request-body limit for the few views that need one (e.g. a bulk import).

Every request is held to MAX_CONTENT_LENGTH. A view marked with body_limit(n) is held to n
instead, applied before any code reads the body — the text check reads JSON bodies before the
view runs, so a limit set inside the view would come too late.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, request

View = TypeVar("View", bound=Callable)
ATTRIBUTE = "max_content_length"


def body_limit(limit: int) -> Callable[[View], View]:
    """Mark a view as taking bodies up to `limit` bytes; the mark survives functools.wraps."""

    def mark(view: View) -> View:
        setattr(view, ATTRIBUTE, limit)
        return view

    return mark


def init_body_limits(app: Flask) -> None:
    """Must be registered before any before_request handler that reads the body."""

    @app.before_request
    def _apply_view_limit():
        view = current_app.view_functions.get(request.endpoint or "")
        limit = getattr(view, ATTRIBUTE, None)
        if limit:
            request.max_content_length = limit
