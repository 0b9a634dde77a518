"""identity-service: customers, users, roles, credentials; signs the portal's access tokens."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The WSGI app; `config` overrides settings read from the environment (tests pass theirs)."""
    # Imported here: importing the package must stay free of work and of side effects.
    from portal_shared.auth import StaticKeySource
    from portal_shared.auth.signing import TokenSigner, load_or_create_private_key
    from portal_shared.db import ensure_sqlite_directory
    from portal_shared.service.app import build_service_app
    from portal_shared.web.forwarded import ForwardedByTrustedProxy, TrustedProxyPeers

    from identity_service.api import register_blueprints
    from identity_service.api.context import EXTENSION
    from identity_service.config import Config, load_config
    from identity_service.service_layer.context import build_context
    from identity_service.service_layer.errors import ERRORS

    settings = load_config(config)
    ensure_sqlite_directory(settings["DATABASE_URL"])
    signer = TokenSigner([load_or_create_private_key(Path(settings["JWT_PRIVATE_KEY_PATH"]))])
    service = build_service_app(
        __name__,
        Config,
        settings,
        extension_prefix="identity",
        errors=ERRORS,
        # identity verifies its own tokens with its own public key: no HTTP round trip to itself.
        keys=StaticKeySource(signer.jwks()),
    )
    app = service.app
    app.extensions[EXTENSION] = build_context(settings, service.session_factory, signer)
    register_blueprints(service.api)

    app.wsgi_app = ForwardedByTrustedProxy(app.wsgi_app, TrustedProxyPeers(settings["TRUSTED_PROXIES"].split(",")))
    return app
