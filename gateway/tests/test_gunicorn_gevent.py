"""The gateway as it runs in production: gunicorn with a gevent worker, over real sockets.

One worker must serve many slow upstream calls at once (cooperative sockets after gevent's
monkey-patching): the upstream holds each call until twenty are inside at once, which a worker
that blocked on urllib3 would never send.
"""
from __future__ import annotations

import concurrent.futures
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from standins import Echo, StandIn

CALLS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, token: str | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture
def gunicorn_gateway(keys_server, echoes, translations, tmp_path):
    upstream = Echo("servicedesk", gather=CALLS)
    slow = StandIn(upstream)
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "VAR_DIR": str(tmp_path),
        "TRANSLATIONS_DIR": translations,
        "JWKS_URL": keys_server.url + "/.well-known/jwks.json",
        "IDENTITY_URL": echoes["identity"][1].url,
        "BILLING_URL": echoes["billing"][1].url,
        "PAYMENT_URL": echoes["payment"][1].url,
        "SERVICEDESK_URL": slow.url,
        "GATEWAY_ACCESS_LOG": "false",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "python:portal_gateway.gunicorn_conf", "portal_gateway:create_app()"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            if get(port, "/healthz", timeout=1)[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            output = process.communicate()[0].decode(errors="replace")
            pytest.fail(f"gunicorn did not come up:\n{output[-3000:]}")
        time.sleep(0.1)
    yield port, upstream
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    slow.stop()


def test_one_gevent_worker_proxies_many_slow_calls_at_once(gunicorn_gateway, tokens):
    port, upstream = gunicorn_gateway
    token = tokens.for_role("admin")
    status, body = get(port, "/api/v1/me", token)
    assert status == 200 and json.loads(body)["service"] == "identity"

    with concurrent.futures.ThreadPoolExecutor(CALLS) as pool:
        results = list(pool.map(lambda _n: get(port, "/api/v1/knowledge", token, timeout=60), range(CALLS)))
    assert [status for status, _ in results] == [200] * CALLS
    assert upstream.most_at_once == CALLS, f"at most {upstream.most_at_once} calls at once: the worker is not concurrent"
