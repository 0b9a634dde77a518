"""portal-gateway: routing table, role policy, reverse proxy and web UI in front of the services.

Importing the package does nothing else: gunicorn reads portal_gateway.gunicorn_conf in its
master process before the gevent worker monkey-patches, so nothing that opens sockets
(urllib3, ssl, jwt) may be imported from here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> "Flask":
    from portal_gateway.app import create_app as build

    return build(config)
