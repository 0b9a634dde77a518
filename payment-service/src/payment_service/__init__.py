"""payment-service: payments of invoices through the banks, their callbacks and receipts.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from payment_service.config import Config
from payment_service.service_layer.errors import ERRORS
from portal_shared.service.app import build_service_app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """portal_shared's service app plus the payment endpoints; `config` overrides any setting of
    the environment (tests may also pass BANKS, a dict of bank adapters, and CLOCK)."""
    from payment_service.api import payments
    from payment_service.service_layer.wiring import build_context

    built = build_service_app(__name__, Config, config, extension_prefix="payment", errors=ERRORS)
    built.app.extensions[payments.EXTENSION] = build_context(built.app.config, built.session_factory)
    built.api.register_blueprint(payments.blp)
    return built.app
