"""gunicorn settings: gunicorn -c python:payment_service.gunicorn_conf "payment_service:create_app()"."""
from portal_shared.service.gunicorn import gunicorn_settings

# gunicorn reads this module's globals (bind, workers, worker_class, threads, keepalive, timeout, ...).
globals().update(gunicorn_settings(default_port=8003))
