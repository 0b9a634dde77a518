"""gunicorn settings: gevent workers, because the gateway mostly waits on the services.

    gunicorn -c python:portal_gateway.gunicorn_conf "portal_gateway:create_app()"

A gevent worker serves up to worker_connections requests at once on one core; the upstream
pool is sized to the same number (UPSTREAM_POOL_MAXSIZE defaults to WORKER_CONNECTIONS).
The app is loaded after gevent patched the worker (no preload), so urllib3's sockets yield.
The metrics hooks give the workers one PROMETHEUS_MULTIPROC_DIR, so /metrics sums them.
"""
import os

from portal_shared.service.gunicorn import METRICS_HOOKS

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gevent"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "30"))
# Longer than the slowest upstream answer may take (UPSTREAM_READ_TIMEOUT, default 10 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
preload_app = False
# gunicorn's own access log is off: the gateway writes one JSON line per request itself
# (GATEWAY_ACCESS_LOG=false turns that off too).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

globals().update(METRICS_HOOKS)
