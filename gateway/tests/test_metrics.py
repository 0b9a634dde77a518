"""The gateway's own /metrics: request durations by route pattern, upstream errors by service and
kind, and who may read it."""
from __future__ import annotations

import threading

from prometheus_client.parser import text_string_to_metric_families
from werkzeug.wrappers import Response

from standins import Echo, StandIn


def bearer(tokens, role="admin"):
    return {"Authorization": f"Bearer {tokens.for_role(role)}"}


def value(text: str, name: str, **labels) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def urls_with(echoes, **replaced):
    urls = {key: server.url for key, (_echo, server) in echoes.items()}
    urls.update(replaced)
    return urls


def test_upstream_errors_are_counted_by_service_and_kind(make_gateway, echoes, tokens):
    doomed = StandIn(Echo("servicedesk"))
    release = threading.Event()
    slow = StandIn(Echo("payment", release=release))
    failing = StandIn(lambda environ, start_response: Response("boom", status=500)(environ, start_response))
    try:
        client = make_gateway(urls_with(echoes, servicedesk=doomed.url, payment=slow.url, billing=failing.url),
                              UPSTREAM_READ_TIMEOUT=0.3).test_client()
        doomed.stop()
        assert client.get("/api/v1/knowledge", headers=bearer(tokens)).status_code == 503
        assert client.get("/api/v1/knowledge", headers=bearer(tokens)).status_code == 503
        assert client.get("/api/v1/payments", headers=bearer(tokens, "billing")).status_code == 504
        # A service's own 500 is passed on as it is, and counted.
        assert client.get("/api/v1/invoices", headers=bearer(tokens, "billing")).status_code == 500
        assert client.get("/api/v1/me", headers=bearer(tokens)).status_code == 200

        text = scrape(client)
        errors = "gateway_upstream_errors_total"
        assert value(text, errors, service="servicedesk-service", kind="connect_refused") == 2
        assert value(text, errors, service="payment-service", kind="timeout") == 1
        assert value(text, errors, service="billing-service", kind="5xx") == 1
        assert value(text, errors, service="identity-service", kind="connect_refused") is None
    finally:
        release.set()
        slow.stop()
        failing.stop()


def test_requests_are_timed_by_the_policy_pattern_never_the_raw_path(client, tokens):
    for user in ("u-1", "u-2"):
        assert client.get(f"/api/v1/users/{user}", headers=bearer(tokens)).status_code == 200
    assert client.get("/api/v1/nothing-here/42", headers=bearer(tokens)).status_code == 404
    assert client.get("/healthz").status_code == 200

    text = scrape(client)
    count = "http_request_duration_seconds_count"
    assert value(text, count, method="GET", route="/api/v1/users/{id}", status="200") == 2
    assert value(text, count, method="GET", route="unmatched", status="404") == 1
    assert value(text, count, method="GET", route="/healthz", status="200") == 1
    assert "u-1" not in text and "nothing-here" not in text


def test_metrics_are_for_a_scraper_on_this_host_only(make_gateway, echoes, tokens):
    client = make_gateway(urls_with(echoes)).test_client()
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    assert client.get("/metrics", environ_overrides={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    # Passed on by a reverse proxy on this host: a public caller, whatever the peer address.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404

    public = make_gateway(urls_with(echoes), METRICS_PUBLIC=True).test_client()
    assert public.get("/metrics", environ_overrides={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_services_metrics_are_never_proxied(client, tokens, echoes):
    before = {key: len(echo.received) for key, (echo, _server) in echoes.items()}
    for path in ("/api/v1/metrics", "/api/v1/invoices/../../metrics"):
        response = client.get(path, headers=bearer(tokens))
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
    assert {key: len(echo.received) for key, (echo, _server) in echoes.items()} == before
    # The gateway's /metrics is its own figures only.
    assert "outbox_backlog" not in scrape(client)
