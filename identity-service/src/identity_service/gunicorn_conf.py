"""gunicorn settings: gunicorn -c python:identity_service.gunicorn_conf "identity_service:create_app()"."""
from portal_shared.service.gunicorn import gunicorn_settings

# gunicorn reads this module's globals (bind, workers, worker_class, threads, keepalive, timeout, ...).
# Password hashing is deliberately slow; a burst of sign-ins must not look like a hung worker: 60 s.
globals().update(gunicorn_settings(default_port=8001, default_timeout=60))
