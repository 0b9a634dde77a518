"""pac-simulator: a stand-in for a PAC (proveedor autorizado de certificación) that checks sealed
CFDI 4.0 documents as SAT requires and stamps them with tfd:TimbreFiscalDigital 1.1.

create_app(config=None) builds the app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

from flask import Flask
from satcfdi.models import Signer

from pac_simulator.certificates import make_stamping_certificate
from pac_simulator.controls import Controls
from pac_simulator.settings import settings
from pac_simulator.store import StampStore

# A CFDI with many concepts and complements stays far below this.
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The simulator; `config` overrides the environment (PAC_USER, PAC_PASSWORD, PAC_RFC,
    STAMPING_KEY_PASSWORD, DATABASE — a file path or ":memory:" —, SLOW_SECONDS, SLOW_LIMIT_SECONDS)."""
    from pac_simulator.views import api, test_controls

    app = Flask(__name__)
    app.config.update(settings())
    app.config.update(config or {})
    app.config["MAX_CONTENT_LENGTH"] = MAX_DOCUMENT_BYTES
    store = StampStore(app.config["DATABASE"])
    app.extensions["pac_simulator.store"] = store
    app.extensions["pac_simulator.stamper"] = _stamper(store, app.config["PAC_RFC"], app.config["STAMPING_KEY_PASSWORD"])
    app.extensions["pac_simulator.controls"] = Controls(
        slow_seconds=float(app.config["SLOW_SECONDS"]), slow_limit_seconds=float(app.config["SLOW_LIMIT_SECONDS"]),
    )
    app.register_blueprint(api)
    app.register_blueprint(test_controls)
    installed = version("pac-simulator")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "pac_rfc": app.config["PAC_RFC"], "version": installed}

    return app


def _stamper(store: StampStore, pac_rfc: str, password: str) -> Signer:
    """The PAC's stamping certificate, made once and kept in the store."""

    def make() -> tuple[str, bytes, bytes]:
        pair = make_stamping_certificate(pac_rfc, password=password)
        return pair.certificate_number, pair.certificate_der, pair.key_der

    kept = store.stamping_certificate(pac_rfc, make)
    return Signer.load(certificate=kept["certificate"], key=kept["key"], password=password)
