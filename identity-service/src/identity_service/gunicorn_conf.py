"""gunicorn settings: gunicorn -c python:identity_service.gunicorn_conf "identity_service:create_app()"."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8001')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 8
keepalive = 30
# Password hashing is deliberately slow; a burst of sign-ins must not look like a hung worker.
timeout = 60
accesslog = None
