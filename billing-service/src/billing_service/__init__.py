"""billing-service: billing accounts, invoices, statements and balances.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from billing_service.api import accounts, balances, credit, invoices, rates, receipts, statements
from billing_service.api.context import EXTENSION
from billing_service.config import Config
from billing_service.service_layer.context import build_context
from billing_service.service_layer.errors import ERRORS
from portal_shared.service.app import build_service_app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """portal_shared's service app with billing's endpoints; `config` overrides any setting of the environment."""
    service = build_service_app(__name__, Config, config, extension_prefix="billing", errors=ERRORS)
    service.app.extensions[EXTENSION] = build_context(service.app.config, service.session_factory)
    for blueprint in (accounts.blp, invoices.blp, balances.blp, rates.blp, statements.blp, credit.blp, receipts.blp):
        service.api.register_blueprint(blueprint)
    return service.app
