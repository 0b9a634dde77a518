"""gunicorn settings shared by the services' gunicorn_conf modules.

gunicorn reads a config module's globals, so a service's gunicorn_conf does
`globals().update(gunicorn_settings(default_port=...))`.
"""
from __future__ import annotations

import os
from typing import Any

from portal_shared.config import env_int, env_str


def gunicorn_settings(*, default_port: int, default_timeout: int = 30) -> dict[str, Any]:
    """Read when the config module is imported by gunicorn: PORT, HOST, WEB_CONCURRENCY,
    GUNICORN_TIMEOUT and LOG_LEVEL from the environment."""
    return {
        # Containers set HOST=0.0.0.0; a developer's machine keeps the service on loopback.
        "bind": f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', default_port)}",
        "workers": env_int("WEB_CONCURRENCY", 2),
        "worker_class": "gthread",
        "threads": 8,
        # The gateway keeps connections to the services open; closing them sooner costs a handshake per request.
        "keepalive": 30,
        "timeout": env_int("GUNICORN_TIMEOUT", default_timeout),
        "graceful_timeout": 20,
        # The app writes one JSON access line per request itself.
        "accesslog": None,
        "errorlog": "-",
        "loglevel": env_str("LOG_LEVEL", "INFO").lower(),
        # Heartbeat files on tmpfs: a container's overlay disk can stall and get healthy workers killed.
        "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): every
        # service started on one machine would fight over it, and a container's user has no home.
        "control_socket_disable": True,
    }
