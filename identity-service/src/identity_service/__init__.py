"""identity-service: customers, users, roles, credentials; signs the portal's access tokens."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The WSGI app; `config` overrides settings read from the environment (tests pass theirs)."""
    # Imported here: importing the package must stay free of work and of side effects.
    from flask_smorest import Api
    from sqlalchemy.exc import IntegrityError
    from werkzeug.middleware.proxy_fix import ProxyFix

    from portal_shared.auth import StaticKeySource, TokenVerifier
    from portal_shared.auth.flask import init_auth
    from portal_shared.auth.signing import TokenSigner, load_or_create_private_key
    from portal_shared.db import make_engine, make_session_factory
    from portal_shared.logging import configure_logging
    from portal_shared.web import (
        Problem,
        broker_check,
        database_check,
        health_blueprint,
        init_request_context,
        register_problem_handlers,
    )

    from identity_service.api import register_blueprints
    from identity_service.api.context import EXTENSION
    from identity_service.config import SERVICE_NAME, load_config
    from identity_service.service_layer.context import build_context
    from identity_service.service_layer.errors import IdentityError, Locked

    settings = load_config(config)
    app = Flask(__name__)
    app.config.update(settings)
    if not app.config.get("TESTING"):
        configure_logging(SERVICE_NAME, settings["LOG_LEVEL"])

    url = settings["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    signer = TokenSigner([load_or_create_private_key(Path(settings["JWT_PRIVATE_KEY_PATH"]))])
    app.extensions[EXTENSION] = build_context(settings, make_session_factory(engine), signer)
    app.extensions["identity_engine"] = engine
    # identity verifies its own tokens with its own public key: no HTTP round trip to itself.
    init_auth(app, TokenVerifier(StaticKeySource(signer.jwks())))
    init_request_context(app)

    api = Api(app)
    register_blueprints(api)
    register_problem_handlers(app)

    @app.errorhandler(IdentityError)
    def _identity_error(exc: IdentityError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Locked) else None
        return Problem(exc.status, exc.title, exc.detail, errors=exc.errors, headers=headers).to_response()

    @app.errorhandler(IntegrityError)
    def _integrity_error(_exc: IntegrityError):
        # A concurrent request registered the same unique value between our check and our insert.
        return Problem(409, "Conflict", "This conflicts with data saved at the same moment; try again.").to_response()

    app.register_blueprint(
        health_blueprint({"database": database_check(engine), "broker": broker_check(settings["AMQP_URL"])})
    )
    if int(settings["PROXY_FIX_X_FOR"]) > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(settings["PROXY_FIX_X_FOR"]))
    return app
