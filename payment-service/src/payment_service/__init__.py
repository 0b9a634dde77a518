"""payment-service: payments of invoices through the banks, their callbacks and receipts.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from payment_service.config import Config
from portal_shared.service.app import build_service_app


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """portal_shared's service app; `config` overrides any setting of the environment."""
    # No endpoints of its own yet: the skeleton serves health, readiness and the OpenAPI document.
    return build_service_app(__name__, Config, config, extension_prefix="payment").app
