"""bank-simulator: one small Flask app per bank (Citibanamex, BBVA Multipagos) that plays the
bank's side of a payment — server API, hosted page, signed notification, status query.

create_app(bank, config=None) builds the app; nothing happens at import time.
"""
from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version
from typing import Any

import requests
from flask import Flask

from bank_simulator.banks import profile
from bank_simulator.settings import settings_for
from bank_simulator.store import PaymentStore


def create_app(bank: str, config: Mapping[str, Any] | None = None) -> Flask:
    """The simulator of `bank` ("citibanamex" or "bbva"); `config` overrides the environment
    (SECRET, DATABASE — a file path or ":memory:" —, PUBLIC_URL, NOTIFY_TIMEOUT_SECONDS)."""
    from bank_simulator.views import api, pages

    app = Flask(__name__)
    app.config.update(settings_for(bank))
    app.config.update(config or {})
    app.extensions["bank_simulator.profile"] = profile(bank)
    app.extensions["bank_simulator.store"] = PaymentStore(app.config["DATABASE"])
    # Keep-alive connections to the merchants' notify URLs.
    app.extensions["bank_simulator.http"] = requests.Session()
    app.register_blueprint(api)
    app.register_blueprint(pages)
    installed = version("bank-simulator")

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "bank": bank, "version": installed}

    return app
