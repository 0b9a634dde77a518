"""servicedesk-service: devices, incidents and their SLA clocks, meter readings, toner stock, knowledge.

create_app(config=None) builds the WSGI app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from portal_shared.service.app import build_service_app
from servicedesk_service.adapters.calendar_settings import calendar_from_config
from servicedesk_service.api import devices, incidents, knowledge, staff, stock
from servicedesk_service.config import Config


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """portal_shared's service app; `config` overrides any setting of the environment."""
    service = build_service_app(__name__, Config, config, extension_prefix="servicedesk")
    # Built once, at start: a calendar setting that does not parse stops the service here, not
    # at the first incident.
    service.app.extensions["servicedesk.calendar"] = calendar_from_config(service.app.config)
    service.api.register_blueprint(devices.blp)
    service.api.register_blueprint(incidents.blp)
    service.api.register_blueprint(stock.blp)
    service.api.register_blueprint(knowledge.blp)
    staff.init_peers(service.app)
    service.api.register_blueprint(staff.blp)
    return service.app
