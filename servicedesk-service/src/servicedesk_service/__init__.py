"""servicedesk-service: devices, incidents and their SLA clocks, meter readings, toner stock, knowledge.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal_shared.service.app import build_service_app
from servicedesk_service.api import context, devices, incidents, knowledge, staff, stock
from servicedesk_service.config import Config
from servicedesk_service.service_layer.errors import ERRORS
from servicedesk_service.service_layer.wiring import build_context


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """portal_shared's service app; `config` overrides any setting of the environment (tests pass
    their own CLOCK, peers' URLs and calendar settings)."""
    service = build_service_app(__name__, Config, config, extension_prefix="servicedesk", errors=ERRORS)
    # The use cases' context, once per app: a calendar setting that does not parse stops the
    # service here, not at the first incident.
    service.app.extensions[context.EXTENSION] = build_context(service.app.config, service.session_factory)
    service.api.register_blueprint(devices.blp)
    service.api.register_blueprint(incidents.blp)
    service.api.register_blueprint(stock.blp)
    service.api.register_blueprint(knowledge.blp)
    service.api.register_blueprint(staff.blp)
    return service.app
