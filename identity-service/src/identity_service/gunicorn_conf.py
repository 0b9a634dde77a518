"""gunicorn settings: gunicorn -c python:identity_service.gunicorn_conf "identity_service:create_app()"."""
import os

# Loopback unless told otherwise: the image sets HOST=0.0.0.0 for its container network.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8001')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = 8
keepalive = 30
# Password hashing is deliberately slow; a burst of sign-ins must not look like a hung worker.
timeout = 60
accesslog = None
# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): every
# service started on one machine would fight over it, and a container's user has no home.
control_socket_disable = True
