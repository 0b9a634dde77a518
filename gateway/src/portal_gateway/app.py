"""The app factory: settings, the pooled client, the token verifier, the UI, and the proxy in front."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from portal_shared.auth import JwksKeySource, RevocationList, TokenVerifier
from portal_shared.logging import configure_logging
from portal_shared.metrics import MetricsMiddleware, record_route
from portal_shared import errors
from portal_shared.web.problems import use_case_problem
from portal_shared.web.request_context import init_request_context

from portal_gateway.brand import init_brand
from portal_gateway.config import Config, dev_secret_key
from portal_gateway.i18n import init_i18n
from portal_gateway.local_api import health, openapi
from portal_gateway.metrics import EXTENSION as METRICS_EXTENSION
from portal_gateway.metrics import GatewayMetrics
from portal_gateway.metrics import metrics as metrics_blueprint
from portal_gateway.policy import Policy
from portal_gateway.proxy import ProxyMiddleware
from portal_gateway.revocations import store_from as revocation_store_from
from portal_gateway.security_headers import SecurityHeaders
from portal_gateway.sessions import session_store_from
from portal_gateway.upstream import Upstreams
from portal_gateway.web import signin


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(Config())
    if config:
        app.config.update(config)
    if app.config["CONFIGURE_LOGGING"]:
        configure_logging("gateway", app.config["LOG_LEVEL"])
    # First: a brand the pages cannot show stops the app before it opens any connection.
    init_brand(app)
    var_dir = Path(app.config["VAR_DIR"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = dev_secret_key(var_dir / "gateway")

    metrics = GatewayMetrics()
    app.extensions[METRICS_EXTENSION] = metrics
    upstreams = Upstreams(
        app.config["SERVICE_URLS"],
        connect_timeout=app.config["UPSTREAM_CONNECT_TIMEOUT"],
        read_timeout=app.config["UPSTREAM_READ_TIMEOUT"],
        pool_maxsize=app.config["UPSTREAM_POOL_MAXSIZE"],
        on_error=metrics.upstream_error,
    )
    # Tokens identity revoked (sign-out, disabled user, changed roles) are refused by the proxy and
    # the pages alike; a test that brings its own TOKEN_VERIFIER decides for itself.
    revocations = RevocationList(revocation_store_from(app.config),
                                 refresh_seconds=float(app.config["REVOCATION_REFRESH_SECONDS"]))
    verifier = app.config.get("TOKEN_VERIFIER") or TokenVerifier(JwksKeySource(app.config["JWKS_URL"]),
                                                                  revocations=revocations)
    app.extensions["portal_upstreams"] = upstreams
    app.extensions["portal_verifier"] = verifier
    app.session_interface = app.config.get("SESSION_STORE") or session_store_from(app.config)

    init_request_context(app, access_log_enabled=app.config["ACCESS_LOG"])
    record_route(app)
    # Before CSRF and language: without the session store no page can keep a form or a sign-in.
    app.before_request(_session_store_reachable)
    init_i18n(app, var_dir)
    csrf = CSRFProtect(app)
    # The API is called with bearer tokens, not cookies: no CSRF there. (Proxied /api/ calls
    # never reach Flask at all; these are the gateway's own JSON endpoints.)
    csrf.exempt(openapi)
    csrf.exempt(health)

    from portal_gateway.web import billing, desk, knowledge, staff, stock, users, web
    from portal_gateway.web.formatting import init_formatting

    app.register_blueprint(openapi)
    app.register_blueprint(health)
    app.register_blueprint(metrics_blueprint)
    app.register_blueprint(web)
    app.register_blueprint(billing)
    app.register_blueprint(users)
    app.register_blueprint(stock)
    app.register_blueprint(knowledge)
    app.register_blueprint(desk)
    app.register_blueprint(staff)
    init_formatting(app)
    _register_error_pages(app)

    # Proxied calls are timed by the proxy (route: the policy's pattern); the rest by the Flask rule.
    app.wsgi_app = ProxyMiddleware(  # type: ignore[method-assign]
        MetricsMiddleware(app.wsgi_app, metrics.http),
        upstreams=upstreams,
        policy=Policy(),
        verifier=verifier,
        access_log_enabled=app.config["ACCESS_LOG"],
        metrics=metrics.http,
    )
    # Outermost, so every answer carries them: pages, errors, proxied and refused API calls.
    app.wsgi_app = SecurityHeaders(app.wsgi_app, https=app.config["SESSION_COOKIE_SECURE"])  # type: ignore[method-assign]
    hops = int(app.config["TRUSTED_PROXY_HOPS"])
    if hops > 0:
        # Before anything reads REMOTE_ADDR: the client's address as the trusted proxies saw it,
        # which the gateway passes on to the services as the only X-Forwarded-For entry.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)  # type: ignore[method-assign]
    return app


def _wants_problem() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


# Answered without a browser session: probes and scrapers must not depend on the session store.
_SESSIONLESS_ENDPOINTS = frozenset({"health.healthz", "health.readyz", "health.session_store_ready", "metrics.scrape", "static",
                                    "brand.stylesheet", "brand.icon", "brand.logo"})
# Forms of people who are not signed in: a stale token there only needs the form sent again.
_SIGNED_OUT_FORMS = frozenset({"web.login", "web.recover", "web.reset_password", "web.activate"})


def _session_store_reachable():
    if getattr(session, "unavailable", False) and request.endpoint not in _SESSIONLESS_ENDPOINTS:
        return render_template("error.html", title=_("Service unavailable"),
                               message=_("Sign-in is not available right now. Please try again in a few minutes.")), 503
    return None


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if not signin.holds_a_sign_in() and request.endpoint not in _SIGNED_OUT_FORMS:
            # A form sent from a session that has ended (signed out elsewhere, timed out, a copied
            # cookie): the way forward is signing in, not reloading a form that cannot be sent.
            flash(_("Your session has ended. Sign in again."))
            return redirect(url_for("web.login"))
        return render_template("error.html", title=_("The form expired"),
                               message=_("Reload the page and send the form again.")), 400

    @app.errorhandler(404)
    def _not_found(exc):
        if _wants_problem():
            return use_case_problem(errors.NOT_FOUND(f"No route for {request.path}."))
        return render_template("error.html", title=_("Page not found"),
                               message=_("The page you asked for does not exist.")), 404

    @app.errorhandler(405)
    def _not_allowed(exc):
        if _wants_problem():
            return use_case_problem(errors.METHOD_NOT_ALLOWED(f"{request.method} is not allowed on {request.path}."))
        return render_template("error.html", title=_("Not allowed"), message=_("This page cannot do that.")), 405

    @app.errorhandler(413)
    def _too_large(exc):
        return use_case_problem(errors.TOO_LARGE("The request body exceeds the allowed size.",
                                                 errors={"body": ["Request body too large."]}))
