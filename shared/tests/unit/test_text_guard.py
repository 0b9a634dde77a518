"""NUL characters in request text are refused by every service before a view runs."""
from __future__ import annotations

import pytest
from flask import request

from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.service.app import build_service_app
from portal_shared.service.config import ServiceConfig
from portal_shared.web.body_limit import LARGER_BODY_LIMITS
from portal_shared.web.text_guard import MESSAGE, nul_fields


class GuardedConfig(ServiceConfig):
    SERVICE_NAME = "guarded-service"
    DATABASE_FILE = "guarded.db"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'guarded.db'}")
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    service = build_service_app(__name__, GuardedConfig, {"TESTING": True, "VERSION": "0.0.1",
                                                          "JWKS": TokenSigner([generate_private_key()]).jwks()},
                                extension_prefix="guarded")
    reached = []
    service.app.add_url_rule("/things", "things", lambda: reached.append(request.get_json(silent=True)) or {},
                             methods=["POST", "GET"])
    service.app.extensions["reached"] = reached
    yield service.app.test_client()
    service.engine.dispose()


def test_nul_in_a_nested_field_is_422_naming_it_and_the_view_never_runs(client):
    response = client.post("/things", json={"name": "ok", "inventory": [{"toner_item": "ok"},
                                                                         {"toner_item": "GPR\u0000K"}]})

    assert (response.status_code, response.content_type) == (422, "application/problem+json")
    assert response.json["errors"] == {"inventory.1.toner_item": [MESSAGE]}
    assert client.application.extensions["reached"] == []


def test_nul_in_a_query_string_is_refused_too(client):
    response = client.get("/things?q=atasco%00")

    assert response.status_code == 422 and response.json["errors"] == {"q": [MESSAGE]}


def test_text_without_nul_passes_untouched(client):
    assert client.post("/things", json={"name": "Almacén \u2014 piso 2", "tags": ["a", "b"]}).status_code == 200
    assert client.application.extensions["reached"] == [{"name": "Almacén \u2014 piso 2", "tags": ["a", "b"]}]


def test_nul_fields_names_keys_lists_and_plain_strings():
    assert nul_fields({"a": ["x", "y\u0000"], "b\u0000": 1, "c": {"d": "\u0000"}, "e": 5}) == {
        "a": {"1": [MESSAGE]}, "b\\u0000": [MESSAGE], "c": {"d": [MESSAGE]},
    }
    assert nul_fields(["fine", {"deep": ["\u0000"]}]) == {"1": {"deep": {"0": [MESSAGE]}}}


def test_a_view_that_takes_larger_bodies_is_checked_within_its_own_limit(client, monkeypatch):
    app = client.application
    monkeypatch.setitem(LARGER_BODY_LIMITS, ("POST", "/big"), 3 * 1024 * 1024)

    def big():
        return {"rows": len(request.get_json()["rows"])}

    app.add_url_rule("/big", "big", big, methods=["POST"])
    rows = ["x" * 1000] * 1500  # about 1.5 MB of JSON: over the 1 MiB default, under the view's limit

    assert client.post("/big", json={"rows": rows}).json == {"rows": 1500}
    refused = client.post("/big", json={"rows": [*rows, "late\u0000"]})
    assert refused.status_code == 422 and refused.json["errors"] == {"rows.1500": [MESSAGE]}
    assert client.post("/things", json={"rows": rows}).status_code == 413
