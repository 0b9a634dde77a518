"""What every portal web service is built from; a service adds only its own endpoints, tables and handlers.

config       ServiceConfig: the settings every service reads (DATABASE_URL under VAR_DIR, AMQP_URL, JWKS_URL, ...)
app          build_service_app: the Flask app with logging, request context, auth, Api, problem+json, health
gunicorn     gunicorn_settings for each service's gunicorn_conf module
entrypoints  the bodies of the <service>-migrate, -relay and -consumer console scripts

The submodules are imported one by one: only `app` needs flask-smorest (the "service" extra).
"""
