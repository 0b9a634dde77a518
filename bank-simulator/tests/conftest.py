"""Fixtures: a simulator app per bank (state in memory) and a real HTTP receiver for its notifications."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bank_simulator import create_app

SECRET = "test-secret"


class Receiver:
    """The merchant's notify_url: a real threaded server that records what it receives."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[dict, bytes]] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/notify"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _app(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.received.append((dict(request.headers), request.get_data()))
        return Response("{}", status=self.status, mimetype="application/json")(environ, start_response)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture(params=["citibanamex", "bbva"])
def bank(request) -> str:
    return request.param


@pytest.fixture
def client(bank):
    return create_app(bank, {"DATABASE": ":memory:", "SECRET": SECRET, "TESTING": True}).test_client()


@pytest.fixture
def register(client, receiver):
    def make(**overrides) -> dict:
        body = {
            "reference": "P00000000042",
            "amount": "1620.50",
            "currency": "MXN",
            "concept": "Pago de facturas P00000000042",
            "return_url": "http://portal.test/payments/return?payment=abc",
            "notify_url": receiver.url,
            **overrides,
        }
        response = client.post("/api/payments", json=body)
        assert response.status_code == 201, response.json
        return response.json

    return make


@pytest.fixture
def form(bank) -> dict:
    """What the customer types on the bank's page before approving."""
    if bank == "citibanamex":
        return {"client_number": "12345678", "nip": "1234", "email": "tesoreria@example.mx"}
    return {"email": "cxp@example.mx", "phone": "5512345678"}


@pytest.fixture
def verify():
    """What payment-service checks: HMAC-SHA256 over "timestamp.body" with the shared secret, fresh."""

    def check(headers: dict, body: bytes) -> dict:
        timestamp = headers["X-Bank-Timestamp"]
        expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, headers["X-Bank-Signature"])
        assert abs(time.time() - int(timestamp)) < 60
        return json.loads(body)

    return check
