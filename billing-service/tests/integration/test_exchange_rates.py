"""Exchange rates: the operator sets them by day (announced), everyone reads the current one."""
from __future__ import annotations

from datetime import timedelta

from billing_service.service_layer.rates import current_rate
from portal_shared.db import make_engine, make_session_factory, transaction
from portal_shared.mexico import mexico_today
from portal_shared.testing.service import migrated_database


def test_rates_are_set_announced_and_the_current_one_is_served(client, operator, bearer, outbox_messages):
    today = mexico_today()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    body = {"rates": [
        {"date": yesterday.isoformat(), "rate": "17.1000"},
        {"date": today.isoformat(), "rate": "17.2345"},
        {"date": tomorrow.isoformat(), "rate": "18.5"},
    ]}

    response = client.post("/api/v1/exchange-rates", json=body, headers=operator)

    assert response.status_code == 200
    assert response.json["set"] + response.json["unchanged"] == 3
    current = client.get("/api/v1/exchange-rates/current", headers=bearer("agent"))
    assert current.status_code == 200
    # Tomorrow's rate is known but not yet current (Mexico City's today).
    assert current.json == {"date": today.isoformat(), "rate": "17.2345"}
    announced = outbox_messages("billing.exchange_rate.set.v1", date=tomorrow.isoformat())
    assert announced[-1]["data"] == {"date": tomorrow.isoformat(), "rate": "18.5000"}


def test_the_same_rate_again_is_unchanged_and_not_announced(client, operator, outbox_messages):
    day = (mexico_today() - timedelta(days=400)).isoformat()
    client.post("/api/v1/exchange-rates", json={"rates": [{"date": day, "rate": "19.0001"}]}, headers=operator)
    before = outbox_messages("billing.exchange_rate.set.v1", date=day)

    again = client.post("/api/v1/exchange-rates", json={"rates": [{"date": day, "rate": "19.0001"}]}, headers=operator)
    changed = client.post("/api/v1/exchange-rates", json={"rates": [{"date": day, "rate": "19.5"}]}, headers=operator)

    assert again.json == {"set": 0, "unchanged": 1}
    assert changed.json == {"set": 1, "unchanged": 0}
    after = outbox_messages("billing.exchange_rate.set.v1", date=day)
    assert [m["data"]["rate"] for m in after] == [*[m["data"]["rate"] for m in before], "19.5000"]


def test_bad_rates_are_named(client, operator):
    day = mexico_today().isoformat()
    cases = [
        ({"rates": [{"date": day, "rate": "17.12345"}]}, "rate"),
        ({"rates": [{"date": day, "rate": "0"}]}, "rate"),
        ({"rates": [{"date": "2026-02-30", "rate": "17"}]}, "date"),
        ({"rates": [{"date": day}]}, "rate"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/exchange-rates", json=body, headers=operator)
        assert response.status_code == 422, body
        assert response.content_type == "application/problem+json"
        assert f"rates.0.{field}" in response.json["errors"], response.json
    twice = client.post("/api/v1/exchange-rates", json={"rates": [
        {"date": day, "rate": "17"}, {"date": day, "rate": "18"}]}, headers=operator)
    assert twice.status_code == 422
    assert "rates.1.date" in twice.json["errors"]
    assert client.post("/api/v1/exchange-rates", json={"rates": []}, headers=operator).status_code == 422


def test_only_operators_set_rates(client, bearer):
    body = {"rates": [{"date": mexico_today().isoformat(), "rate": "17"}]}
    assert client.post("/api/v1/exchange-rates", json=body, headers=bearer("agent")).status_code == 403


def test_no_rate_yet_is_404(make_app, bearer, service_under_test):
    with migrated_database("billing_norate", service_under_test.migrations_dir) as url:
        app = make_app(DATABASE_URL=url)
        response = app.test_client().get("/api/v1/exchange-rates/current", headers=bearer("agent"))
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"
        assert response.json["code"] == "billing.no_exchange_rate"
        engine = make_engine(url)
        try:
            with transaction(make_session_factory(engine)) as session:
                assert current_rate(session, mexico_today()) is None
        finally:
            engine.dispose()
        service_under_test.dispose(app)
