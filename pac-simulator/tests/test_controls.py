"""The test controls: the next stamp requests fail ("down") or hang ("slow") and come back "normal"."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
from lxml import etree
from werkzeug.serving import make_server

TFD = "{http://www.sat.gob.mx/cfd/4}Complemento/{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"


class Served:
    """The app on a real threaded server, so a client can time out on it."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def served(app) -> Iterator[Served]:
    server = Served(app)
    yield server
    # Frees a request still hung, so the server stops at once.
    requests.post(f"{server.url}/test/controls", json={"mode": "normal"}, timeout=5)
    server.stop()


def test_down_fails_the_next_requests_then_stamps_again(client, auth, sealed):
    state = client.post("/test/controls", json={"mode": "down", "requests": 2}).json
    assert state == {"mode": "down", "requests": 2, "seconds": None, "stamps": 0}
    xml = sealed()
    for _ in range(2):
        response = client.post("/api/v1/stamp", data=xml, headers=auth)
        assert response.status_code == 503 and response.json["code"] == "503"
        assert response.headers["Retry-After"] == "1"
    assert client.get("/test/controls").json == {"mode": "normal", "requests": 0, "seconds": None, "stamps": 0}
    assert client.post("/api/v1/stamp", data=xml, headers=auth).status_code == 200


def test_normal_ends_down_early(client, auth, sealed):
    client.post("/test/controls", json={"mode": "down", "requests": 5})
    assert client.post("/test/controls", json={"mode": "normal"}).json["mode"] == "normal"
    assert client.post("/api/v1/stamp", data=sealed(), headers=auth).status_code == 200


def test_a_request_slower_than_the_clients_timeout_is_stamped_and_the_retry_gets_its_uuid(served, auth, sealed):
    xml = sealed()
    requests.post(f"{served.url}/test/controls", json={"mode": "slow", "seconds": 8}, timeout=5)
    with pytest.raises(requests.Timeout):
        requests.post(f"{served.url}/api/v1/stamp", data=xml, headers=auth, timeout=0.5)
    assert requests.get(f"{served.url}/test/controls", timeout=5).json()["stamps"] == 0  # still hanging

    # Going back to normal frees the hung request, which stamps although its client has gone.
    requests.post(f"{served.url}/test/controls", json={"mode": "normal"}, timeout=5)
    deadline = time.monotonic() + 5
    while requests.get(f"{served.url}/test/controls", timeout=5).json()["stamps"] == 0:
        assert time.monotonic() < deadline, "the freed request did not stamp"
        time.sleep(0.02)

    retry = requests.post(f"{served.url}/api/v1/stamp", data=xml, headers=auth, timeout=5)
    assert retry.status_code == 409 and retry.json()["code"] == "307"
    kept = requests.get(f"{served.url}{retry.headers['Location']}", headers=auth, timeout=5)
    assert etree.fromstring(kept.content).find(TFD).get("UUID") == retry.json()["uuid"]


def test_a_slow_request_ends_by_itself_after_its_seconds(served, auth, sealed):
    requests.post(f"{served.url}/test/controls", json={"mode": "slow", "seconds": 0.3}, timeout=5)
    started = time.monotonic()
    response = requests.post(f"{served.url}/api/v1/stamp", data=sealed(), headers=auth, timeout=5)
    assert response.status_code == 200 and time.monotonic() - started >= 0.3
    # Only the next request was slow.
    started = time.monotonic()
    assert requests.post(f"{served.url}/api/v1/stamp", data=sealed(folio="1002"), headers=auth, timeout=5).ok
    assert time.monotonic() - started < 0.3


@pytest.mark.parametrize(
    "body",
    [{"mode": "broken"}, {"mode": "down", "requests": 0}, {"mode": "slow", "seconds": 11},
     {"mode": "slow", "seconds": 0}, {"mode": "down", "requests": "2"}, ["down"]],
)
def test_invalid_controls_are_refused(client, body):
    response = client.post("/test/controls", json=body)
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"
    assert client.get("/test/controls").json["mode"] == "normal"
