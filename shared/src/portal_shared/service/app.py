"""The Flask app every service starts from: logging, request context, token verification,
flask-smorest Api with problem+json errors, /healthz + /readyz on its database and broker, and
/metrics (request durations, outbox backlog).

flask-smorest is needed only by the services (it is in the library's "service" extra).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_smorest import Api
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal_shared.auth import JwksKeySource, RevocationList, StaticKeySource, TokenVerifier
from portal_shared.auth.tokens import KeySource
from portal_shared.auth.flask import init_auth
from portal_shared.db import make_engine, make_session_factory
from portal_shared.logging import configure_logging
from portal_shared.metrics.service import init_service_metrics
from portal_shared.revocations import SqlRevocationSource
from portal_shared.service.config import ServiceConfig
from portal_shared.errors import COMMON, ErrorCatalogue
from portal_shared.service.openapi import document_decimals, document_errors
from portal_shared.web import (
    broker_check,
    database_check,
    distribution_version,
    health_blueprint,
    init_request_context,
    register_problem_handlers,
)
from portal_shared.web.body_limit import init_body_limits
from portal_shared.web.json_body import init_json_bodies
from portal_shared.web.text_guard import init_text_guard


@dataclass(frozen=True)
class ServiceApp:
    """The built app and what the service needs to finish it: register blueprints on `api`."""

    app: Flask
    api: Api
    engine: Engine
    session_factory: sessionmaker[Session]


def token_verifier_from(config: Mapping[str, Any], revocations: RevocationList | None = None,
                        keys: KeySource | None = None) -> TokenVerifier:
    """TOKEN_VERIFIER or JWKS (a key set dict) let tests and identity-less local runs skip the
    fetch from JWKS_URL; `keys` is identity's own. Tokens the revocation list covers are refused
    (not a TOKEN_VERIFIER's: a test that brings its own verifier decides)."""
    if config.get("TOKEN_VERIFIER") is not None:
        return config["TOKEN_VERIFIER"]
    if keys is None:
        keys = StaticKeySource(config["JWKS"]) if config.get("JWKS") is not None else JwksKeySource(config["JWKS_URL"])
    return TokenVerifier(keys, revocations=revocations)


def build_service_app(
    import_name: str,
    config_class: type[ServiceConfig],
    overrides: Mapping[str, Any] | None = None,
    *,
    extension_prefix: str,
    errors: ErrorCatalogue = COMMON,
    keys: KeySource | None = None,
) -> ServiceApp:
    """Everything but the service's own endpoints; no connection is opened here.

    Settings are config_class() read from the environment, with `overrides` winning (tests pass
    theirs: TESTING, DATABASE_URL, and TOKEN_VERIFIER or JWKS instead of fetching JWKS_URL).
    The engine and session factory are kept in app.extensions as "<prefix>.engine" and
    "<prefix>.session_factory". Tokens are checked with `keys` when given (identity's own), else as
    token_verifier_from says. `errors` is the service's catalogue of refusals (with the common
    ones), listed in its OpenAPI document; every UseCaseError becomes problem+json here.
    /healthz names the version: VERSION, else the installed version of the distribution named
    config_class.SERVICE_NAME (each service's package is named after the service).
    """
    app = Flask(import_name)
    app.config.update(config_class().as_dict())
    app.config.update(overrides or {})
    # Before anything is opened: a service whose version cannot be told does not start.
    app.config["VERSION"] = app.config.get("VERSION") or distribution_version(config_class.SERVICE_NAME)
    if not app.config.get("TESTING"):
        configure_logging(config_class.SERVICE_NAME, app.config["LOG_LEVEL"])

    engine = make_engine(app.config["DATABASE_URL"])
    session_factory = make_session_factory(engine)
    app.extensions[f"{extension_prefix}.engine"] = engine
    app.extensions[f"{extension_prefix}.session_factory"] = session_factory

    init_request_context(app)
    init_body_limits(app)  # before anything reads the body
    init_json_bodies(app)  # hostile JSON is refused before any view or check parses it
    init_text_guard(app)
    init_service_metrics(app, service=config_class.SERVICE_NAME, engine=engine)
    # Verification is wired before any endpoint needs it, so a service's endpoints only add views.
    # Sign-outs, disabled users and changed roles reach this table through the consumer.
    revocations = RevocationList(SqlRevocationSource(engine),
                                 refresh_seconds=float(app.config["REVOCATION_REFRESH_SECONDS"]))
    init_auth(app, token_verifier_from(app.config, revocations, keys))

    api = Api(app)
    # Before any blueprint is registered: its schemas are documented as they are added.
    document_decimals(api)
    document_errors(api, errors)
    app.register_blueprint(
        health_blueprint(
            {"database": database_check(engine), "broker": broker_check(app.config["AMQP_URL"])},
            version=app.config["VERSION"],
        )
    )
    # After Api(app): these handlers must win over flask-smorest's own error bodies.
    register_problem_handlers(app)

    @app.after_request
    def _no_sniffing(response):
        # Browsers must take a problem+json or a PDF for what it says it is, never guess HTML.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return ServiceApp(app, api, engine, session_factory)
