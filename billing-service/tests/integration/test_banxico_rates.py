"""The operator sets rates from Banxico's FIX file (SF43718), as the SIE publishes it: CSV or JSON."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing_service.adapters.orm import ExchangeRate
from portal_shared.db import transaction

PATH = "/api/v1/exchange-rates/banxico"
TOPIC = "billing.exchange_rate.set.v1"


def sie_csv(*rows: str, series: str = "SF43718") -> bytes:
    head = ["Banco de México", "Serie,SF43718", "Título,Tipo de cambio pesos por dólar E.U.A. (FIX)", "",
            f"Fecha,{series}"]
    return ("\r\n".join([*head, *rows]) + "\r\n").encode("utf-8")


def sie_json(*datos: tuple[str, str], series: str = "SF43718") -> dict:
    return {"bmx": {"series": [{"idSerie": series, "titulo": "Tipo de cambio (FIX)",
                                "datos": [{"fecha": f, "dato": d} for f, d in datos]}]}}


@pytest.fixture
def stored(session_factory):
    """The rates held for days of one year, by ISO day."""

    def held(year: int) -> dict[str, Decimal]:
        with transaction(session_factory) as session:
            rows = session.execute(sa.select(ExchangeRate.rate_date, ExchangeRate.rate).where(
                ExchangeRate.rate_date.between(date(year, 1, 1), date(year, 12, 31)))).all()
        return {day.isoformat(): rate for day, rate in rows}

    return held


def test_the_csv_download_sets_each_determined_day_once(client, operator, outbox_messages, stored):
    raw = sie_csv("02/01/1995,5.1000", "03/01/1995,N/E", "04/01/1995,5.2345")

    first = client.post(PATH, data=raw, content_type="text/csv", headers=operator)
    again = client.post(PATH, data=raw, content_type="text/csv; charset=utf-8", headers=operator)

    assert first.status_code == 200, first.json
    assert first.json == {"set": 2, "unchanged": 0, "series": "SF43718", "from": "1995-01-02", "to": "1995-01-04"}
    assert again.json == {"set": 0, "unchanged": 2, "series": "SF43718", "from": "1995-01-02", "to": "1995-01-04"}
    assert stored(1995) == {"1995-01-02": Decimal("5.1000"), "1995-01-04": Decimal("5.2345")}
    announced = [m["data"] for m in outbox_messages(TOPIC) if m["data"]["date"].startswith("1995-")]
    assert announced == [{"date": "1995-01-02", "rate": "5.1000"}, {"date": "1995-01-04", "rate": "5.2345"}]


def test_the_api_json_sets_rates_and_a_changed_day_is_announced_again(client, operator, outbox_messages, stored):
    body = sie_json(("02/01/1996", "7.6000"), ("03/01/1996", "N/E"), ("04/01/1996", "7.6500"))
    client.post(PATH, json=body, headers=operator)

    body["bmx"]["series"][0]["datos"][2]["dato"] = "7.7000"
    changed = client.post(PATH, json=body, headers=operator)

    assert changed.status_code == 200, changed.json
    assert changed.json == {"set": 1, "unchanged": 1, "series": "SF43718", "from": "1996-01-02", "to": "1996-01-04"}
    assert stored(1996) == {"1996-01-02": Decimal("7.6000"), "1996-01-04": Decimal("7.7000")}
    announced = [m["data"] for m in outbox_messages(TOPIC) if m["data"]["date"].startswith("1996-")]
    assert announced == [{"date": "1996-01-02", "rate": "7.6000"}, {"date": "1996-01-04", "rate": "7.6500"},
                         {"date": "1996-01-04", "rate": "7.7000"}]


def test_the_file_and_the_import_by_day_agree_on_a_rate(client, operator):
    client.post("/api/v1/exchange-rates", json={"rates": [{"date": "1997-01-02", "rate": "7.8"}]}, headers=operator)

    response = client.post(PATH, data=sie_csv("02/01/1997,7.8000"), content_type="text/csv", headers=operator)

    assert response.json["set"] == 0 and response.json["unchanged"] == 1


@pytest.mark.parametrize("send, code, field", [
    (dict(data=sie_csv("02/01/1998,8.1", series="SF60653"), content_type="text/csv"),
     "billing.banxico_series_unknown", "lines.5"),
    (dict(json=sie_json(("02/01/1998", "8.1"), series="SF60653")), "billing.banxico_series_unknown", "bmx.series"),
    (dict(data=sie_csv("02/01/1998,8.1", "05/01/1998,8.12345"), content_type="text/csv"),
     "billing.banxico_row_invalid", "lines.7"),
    (dict(json=sie_json(("02/01/1998", "8.1"), ("31/02/1998", "8.2"))),
     "billing.banxico_row_invalid", "bmx.series.0.datos.1"),
    (dict(data=sie_csv("02/01/1998,N/E"), content_type="text/csv"), "billing.banxico_no_rates", None),
    (dict(json={"bmx": {}}), "billing.banxico_file_unreadable", None),
    (dict(data=b"Fecha,Tipo\n02/01/1998,8.1\n", content_type="text/csv"), "billing.banxico_file_unreadable", None),
])
def test_a_refused_file_is_named_and_sets_nothing(client, operator, outbox_messages, stored, send, code, field):
    response = client.post(PATH, headers=operator, **send)

    assert response.status_code == 422, response.json
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == code
    if field is not None:
        assert field in response.json["errors"], response.json
    assert stored(1998) == {}
    assert [m for m in outbox_messages(TOPIC) if m["data"]["date"].startswith("1998-")] == []


def test_the_rates_json_is_not_a_banxico_file_and_other_media_types_are_refused(client, operator):
    rates = client.post(PATH, json={"rates": [{"date": "1999-01-04", "rate": "10"}]}, headers=operator)
    text = client.post(PATH, data=sie_csv("04/01/1999,10.1"), content_type="text/plain", headers=operator)
    # The import by day still takes JSON only.
    csv_by_day = client.post("/api/v1/exchange-rates", data=sie_csv("04/01/1999,10.1"),
                             content_type="text/csv", headers=operator)

    assert (rates.status_code, rates.json["code"]) == (422, "billing.banxico_file_unreadable")
    assert (text.status_code, text.json["code"]) == (415, "body.unsupported_media_type")
    assert (csv_by_day.status_code, csv_by_day.json["code"]) == (415, "body.unsupported_media_type")


def test_hostile_json_is_still_refused_before_the_view(client, operator):
    response = client.post(PATH, data=b"\xef\xbb\xbf" + json.dumps(sie_json(("04/01/1999", "10"))).encode(),
                           content_type="application/json", headers=operator)

    assert (response.status_code, response.json["code"]) == (400, "body.not_utf8")


def test_only_operators_import_the_banxico_file(client, bearer, stored):
    raw = sie_csv("04/01/2000,9.5")

    for role in ("agent", "billing", "admin"):
        response = client.post(PATH, data=raw, content_type="text/csv", headers=bearer(role))
        assert response.status_code == 403, role
    assert client.post(PATH, data=raw, content_type="text/csv").status_code == 401
    assert stored(2000) == {}


def test_the_openapi_document_offers_both_forms(client):
    spec = client.get("/openapi.json").json

    operation = spec["paths"][PATH]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/csv", "application/json"}
    assert set(operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1:]) \
        == {"FixImportOut"}
    assert {"billing.banxico_series_unknown", "billing.banxico_row_invalid"} <= set(spec["x-error-codes"])
