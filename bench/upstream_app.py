"""The service the benchmark puts behind the gateway: a small Flask app, as a real service is.

GET /api/v1/accounts  ~2 KB of JSON, no waiting (the light route)
GET /api/v1/balances  the same after 50 ms (a route that waits on its database)
GET /.well-known/jwks.json  the benchmark's public key, so it also plays identity for the gateway
"""
from __future__ import annotations

import json
import os
import time

from flask import Flask, Response, jsonify


def _accounts() -> list[dict]:
    return [
        {"id": f"acc-{n}", "customer_account_number": f"{5300 + n:06d}", "system_account_number": f"SYS-{77100 + n}",
         "name": "Copias del Centro SA de CV", "currency": "MXN", "balance": f"{12345.67 + n:.2f}",
         "status": "active"}
        for n in range(11)
    ]


def create_app() -> Flask:
    app = Flask(__name__)
    with open(os.environ["BENCH_JWKS_FILE"]) as jwks_file:
        jwks = jwks_file.read()
    delay = float(os.environ.get("BENCH_SLOW_SECONDS", "0.05"))
    accounts = _accounts()

    @app.get("/api/v1/accounts")
    def light():
        return jsonify(items=accounts)

    @app.get("/api/v1/balances")
    def slow():
        time.sleep(delay)
        return jsonify(items=accounts)

    @app.get("/.well-known/jwks.json")
    def keys():
        return Response(jwks, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app


if __name__ == "__main__":  # size check: python upstream_app.py
    print(len(json.dumps({"items": _accounts()})), "bytes")
