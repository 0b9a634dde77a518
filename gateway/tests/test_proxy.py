"""Forwarding: what reaches the service, what comes back, and how a failing service is told."""
from __future__ import annotations

import re

import threading

import pytest
from importlib.metadata import version

from portal_shared.web.body_limit import DEFAULT_BODY_LIMIT, body_limit_for
from standins import Echo, StandIn


def bearer(tokens, role="admin"):
    return {"Authorization": f"Bearer {tokens.for_role(role)}"}


def test_unknown_route_is_a_404_problem(client, tokens):
    for path in ("/api/v1/nothing-here", "/api/v2/me", "/api/v1/usersx"):
        response = client.get(path, headers=bearer(tokens))
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["status"] == 404


def test_dot_segments_never_reach_a_service(client, tokens, echoes):
    before = len(echoes["servicedesk"][0].received)
    response = client.get("/api/v1/staff/customers/../overview", headers=bearer(tokens, "agent"))
    assert response.status_code == 404
    assert len(echoes["servicedesk"][0].received) == before


def test_method_path_query_body_and_headers_are_forwarded(client, tokens):
    response = client.post(
        "/api/v1/users?notify=yes&x=%C3%B1",
        headers={**bearer(tokens), "X-Custom": "kept", "Accept-Language": "es-MX"},
        data=b'{"email": "a@b.mx"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    seen = response.get_json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/v1/users"
    assert seen["query"] == "notify=yes&x=%C3%B1"
    assert seen["body"] == '{"email": "a@b.mx"}'
    assert seen["headers"]["x-custom"] == "kept"
    assert seen["headers"]["accept-language"] == "es-MX"
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["authorization"].startswith("Bearer ")
    assert response.headers["X-From-Service"] == "identity"


def test_correlation_id_is_kept_when_sane_and_made_when_not(client, tokens):
    kept = client.get("/api/v1/me", headers={**bearer(tokens), "X-Correlation-ID": "abc-123"})
    assert kept.get_json()["headers"]["x-correlation-id"] == "abc-123"
    assert kept.headers["X-Correlation-ID"] == "abc-123"

    for bad in (None, "has spaces in it", "x" * 200):
        headers = bearer(tokens) if bad is None else {**bearer(tokens), "X-Correlation-ID": bad}
        response = client.get("/api/v1/me", headers=headers)
        forwarded = response.get_json()["headers"]["x-correlation-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", forwarded)
        assert response.headers["X-Correlation-ID"] == forwarded


def test_the_service_is_told_the_peer_and_never_the_callers_own_forwarded_for(client, tokens):
    # No proxy is trusted in front of this gateway (TRUSTED_PROXY_HOPS 0): the peer is the client.
    alone = client.get("/api/v1/me", headers=bearer(tokens))
    assert alone.get_json()["headers"]["x-forwarded-for"] == "127.0.0.1"
    spoofed = client.get("/api/v1/me", headers={**bearer(tokens), "X-Forwarded-For": "203.0.113.9"})
    assert spoofed.get_json()["headers"]["x-forwarded-for"] == "127.0.0.1"


def test_behind_trusted_proxies_the_client_is_the_entry_that_many_hops_back(make_gateway, echoes, tokens):
    client = make_gateway({key: server.url for key, (_echo, server) in echoes.items()}, TRUSTED_PROXY_HOPS=1).test_client()
    # The Ingress appended the address it saw (203.0.113.9); what the client wrote before it is not believed.
    headers = {**bearer(tokens), "X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    assert client.get("/api/v1/me", headers=headers).get_json()["headers"]["x-forwarded-for"] == "203.0.113.9"


def test_hop_by_hop_headers_are_stripped_both_ways(client, tokens):
    response = client.get(
        "/api/v1/me",
        headers={
            **bearer(tokens),
            "Connection": "keep-alive, X-Only-This-Hop",
            "X-Only-This-Hop": "secret",
            "Keep-Alive": "timeout=5",
            "TE": "trailers",
            "Upgrade": "websocket",
            "Proxy-Authorization": "Basic Zm9vOmJhcg==",
            "Cookie": "portal_session=holds-the-refresh-token",
        },
    )
    seen = response.get_json()["headers"]
    for name in ("x-only-this-hop", "keep-alive", "te", "upgrade", "proxy-authorization", "cookie"):
        assert name not in seen, name
    assert seen.get("connection", "keep-alive").lower() in ("keep-alive", "close")  # the gateway's own hop
    assert "Keep-Alive" not in response.headers
    assert "Proxy-Authenticate" not in response.headers


def test_body_over_one_mib_is_413_before_forwarding(client, tokens, echoes):
    before = len(echoes["identity"][0].received)
    response = client.post("/api/v1/users", headers=bearer(tokens), data=b"x" * (2 * 1024 * 1024),
                           content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "body" in response.get_json()["errors"]
    assert len(echoes["identity"][0].received) == before


def json_of_size(size: int) -> bytes:
    return b'{"pad": "' + b"x" * (size - 11) + b'"}'


def test_a_route_with_a_larger_limit_gets_it_at_the_gateway_too(client, tokens, echoes):
    # The invoice import is listed in shared's body-limit table, which billing's view reads too:
    # 1.2 MB passes the gateway to billing, 1.6 MB is refused before it is forwarded.
    limit = body_limit_for("POST", "/api/v1/invoices/import")
    assert limit > DEFAULT_BODY_LIMIT
    billing = echoes["billing"][0]
    before = len(billing.received)
    passed = client.post("/api/v1/invoices/import", headers=bearer(tokens, "operator"),
                         data=json_of_size(DEFAULT_BODY_LIMIT + 200 * 1024), content_type="application/json")
    assert passed.status_code == 200, passed.get_data(as_text=True)
    assert len(billing.received) == before + 1
    refused = client.post("/api/v1/invoices/import", headers=bearer(tokens, "operator"),
                          data=json_of_size(limit + 1), content_type="application/json")
    assert refused.status_code == 413
    assert len(billing.received) == before + 1


def test_a_route_that_takes_a_file_gets_it_as_sent_and_others_still_refuse_it(client, tokens, echoes):
    # Banxico's FIX as the SIE's CSV download: listed in shared's table of file bodies, which
    # billing reads too; the same body to the import by day is refused at the door.
    billing = echoes["billing"][0]
    before = len(billing.received)
    raw = "Banco de México\r\nFecha,SF43718\r\n02/12/2026,17.1234\r\n".encode("latin-1")
    passed = client.post("/api/v1/exchange-rates/banxico", headers=bearer(tokens, "operator"),
                         data=raw, content_type="text/csv")
    assert passed.status_code == 200, passed.get_data(as_text=True)
    seen = passed.get_json()
    assert seen["headers"]["content-type"] == "text/csv"
    assert seen["path"] == "/api/v1/exchange-rates/banxico"
    refused = client.post("/api/v1/exchange-rates", headers=bearer(tokens, "operator"),
                          data=raw, content_type="text/csv")
    assert (refused.status_code, refused.get_json()["code"]) == (415, "body.unsupported_media_type")
    denied = client.post("/api/v1/exchange-rates/banxico", headers=bearer(tokens, "billing"),
                         data=raw, content_type="text/csv")
    assert denied.status_code == 403
    assert len(billing.received) == before + 1


def test_a_stopped_service_is_503_naming_it_while_others_answer(make_gateway, echoes, tokens):
    doomed = StandIn(Echo("servicedesk"))
    urls = {key: server.url for key, (_echo, server) in echoes.items()}
    urls["servicedesk"] = doomed.url
    client = make_gateway(urls).test_client()
    assert client.get("/api/v1/knowledge", headers=bearer(tokens)).status_code == 200
    doomed.stop()

    down = client.get("/api/v1/knowledge", headers=bearer(tokens))
    assert down.status_code == 503
    assert down.mimetype == "application/problem+json"
    assert "servicedesk-service is unavailable" in down.get_json()["detail"]
    assert client.get("/api/v1/invoices", headers=bearer(tokens)).status_code == 200


def test_a_slow_service_is_504_naming_it(make_gateway, echoes, tokens):
    release = threading.Event()
    slow = StandIn(Echo("payment", release=release))
    try:
        urls = {key: server.url for key, (_echo, server) in echoes.items()}
        urls["payment"] = slow.url
        client = make_gateway(urls, UPSTREAM_READ_TIMEOUT=0.3).test_client()
        # The service holds the call until released, after this answer: a gateway that waited
        # for it would get its 200 a minute later instead of answering 504 now.
        response = client.get("/api/v1/payments", headers=bearer(tokens, "billing"))
        assert response.status_code == 504
        assert "payment-service" in response.get_json()["detail"]
        assert client.get("/api/v1/invoices", headers=bearer(tokens, "billing")).status_code == 200
    finally:
        release.set()
        slow.stop()


def test_garbage_from_a_service_is_502_naming_it(make_gateway, echoes, tokens):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_garbage():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"this is not HTTP\r\n\r\n")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        urls = {key: server.url for key, (_echo, server) in echoes.items()}
        urls["billing"] = f"http://127.0.0.1:{port}"
        response = make_gateway(urls).test_client().get("/api/v1/balances", headers=bearer(tokens, "billing"))
        assert response.status_code == 502
        assert "billing-service" in response.get_json()["detail"]
    finally:
        thread.join(5)
        listener.close()


def test_openapi_documents_are_public_and_listed(client):
    index = client.get("/api/v1/openapi.json").get_json()
    assert {entry["name"] for entry in index["services"]} == {"identity", "billing", "payment", "servicedesk"}
    document = client.get("/api/v1/openapi/billing.json")
    assert document.status_code == 200
    assert document.get_json()["path"] == "/openapi.json"
    assert document.get_json()["service"] == "billing"
    assert client.get("/api/v1/openapi/nobody.json").status_code == 404


def test_health_and_readiness(make_gateway, echoes):
    client = make_gateway({key: server.url for key, (_echo, server) in echoes.items()}).test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "version": version("portal-gateway")}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert set(ready.get_json()["checks"].values()) == {"ok"}

    urls = {key: server.url for key, (_echo, server) in echoes.items()}
    gone = StandIn(Echo("payment"))
    gone.stop()
    urls["payment"] = gone.url
    not_ready = make_gateway(urls).test_client().get("/readyz")
    assert not_ready.status_code == 503
    checks = not_ready.get_json()["checks"]
    assert checks["payment-service"] == "payment-service is unavailable."
    assert checks["identity-service"] == "ok"


def _raw_upstream(reply: bytes, *, release: threading.Event | None = None):
    """A one-shot server that answers one request with these bytes, then holds the connection
    until released."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(reply)
            if release is not None:
                release.wait(timeout=60)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread, f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_service_stalling_mid_body_is_504(make_gateway, echoes, tokens):
    release = threading.Event()
    listener, thread, url = _raw_upstream(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\":", release=release)
    try:
        urls = {key: server.url for key, (_echo, server) in echoes.items()}
        urls["servicedesk"] = url
        client = make_gateway(urls, UPSTREAM_READ_TIMEOUT=0.3).test_client()
        response = client.get("/api/v1/knowledge", headers=bearer(tokens))
        assert response.status_code == 504
        assert "servicedesk-service" in response.get_json()["detail"]
    finally:
        release.set()
        thread.join(5)
        listener.close()


def test_large_answers_stream_through_intact(make_gateway, echoes, tokens):
    payload = bytes(range(256)) * 2048  # 512 KiB, past the one-read limit
    listener, thread, url = _raw_upstream(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
    try:
        urls = {key: server.url for key, (_echo, server) in echoes.items()}
        urls["billing"] = url
        response = make_gateway(urls).test_client().get("/api/v1/statements/s1/pdf", headers=bearer(tokens, "billing"))
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.data == payload
    finally:
        thread.join(5)
        listener.close()


@pytest.mark.parametrize(("body", "content_type", "status"), [
    (b"[" * 1000 + b"]" * 1000, "application/json", 400),
    (b'{"n": ' + b"9" * 5000 + b"}", "application/json", 400),
    (b'{"name": "\\ud800"}', "application/json", 400),
    (b'\xef\xbb\xbf{"name": "x"}', "application/json", 400),
    (b'{"name": "x"}', "text/plain", 415),
    (b"name=x", "application/x-www-form-urlencoded", 415),
])
def test_hostile_json_is_refused_at_the_gateway_and_never_forwarded(client, tokens, echoes, body, content_type, status):
    identity = echoes["identity"][0]
    before = len(identity.received)
    response = client.post("/api/v1/auth/login", data=body, content_type=content_type)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert "body" in problem["errors"] and problem["code"].startswith("body.")
    assert len(identity.received) == before
