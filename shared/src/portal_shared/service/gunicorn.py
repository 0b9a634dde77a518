"""gunicorn settings shared by the services' gunicorn_conf modules.

gunicorn reads a config module's globals, so a service's gunicorn_conf does
`globals().update(gunicorn_settings(default_port=...))`. The gateway's own conf takes the
metrics hooks (METRICS_HOOKS) from here.

Metrics under several workers: each worker writes its figures to files in one directory per
server (PROMETHEUS_MULTIPROC_DIR) and /metrics, answered by any worker, sums them. on_starting
makes that directory in the master; post_fork switches the worker's prometheus_client to those
files (the library picks its value store when first imported, and a service's package, imported
with its gunicorn_conf, has imported it in the master already); child_exit marks a dead
worker's files; on_exit removes a directory it made.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
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
        **METRICS_HOOKS,
    }


MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The directory on_starting made in this (master) process, for on_exit to remove.
_made: list[Path] = []
_PREFIX = "portal-metrics-"


def metrics_on_starting(server) -> None:
    """A directory of this server's own: a given PROMETHEUS_MULTIPROC_DIR (one per server, e.g. an
    emptyDir volume) is emptied of an earlier run's files; otherwise a new one on tmpfs."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        base = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        _remove_orphans(Path(base))
        directory = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
        _made.append(directory)
    os.environ[MULTIPROC_ENV] = str(directory)


def _remove_orphans(base: Path) -> None:
    """Directories of servers that died without on_exit (SIGKILL, OOM) would pile up on tmpfs."""
    for candidate in base.glob(f"{_PREFIX}*-*"):
        try:
            pid = int(candidate.name[len(_PREFIX):].split("-", 1)[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(candidate, ignore_errors=True)
        except (ValueError, PermissionError):
            continue


def metrics_post_fork(server, worker) -> None:
    from prometheus_client import values

    if os.environ.get(MULTIPROC_ENV) and values.ValueClass.__name__ != "MmapedValue":
        # Metrics made from here on (the app's, built in this worker) write to the shared files.
        values.ValueClass = values.get_value_class()


def metrics_child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def metrics_on_exit(server) -> None:
    while _made:
        shutil.rmtree(_made.pop(), ignore_errors=True)


# gunicorn server hooks, as config-module globals.
METRICS_HOOKS: dict[str, Any] = {
    "on_starting": metrics_on_starting,
    "post_fork": metrics_post_fork,
    "child_exit": metrics_child_exit,
    "on_exit": metrics_on_exit,
}
