"""Bad input gets a 4xx problem+json naming the field, and nothing is written."""
from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"
WRITTEN = ("customers", "customer_accounts", "users", "user_roles", "audit_log", "outbox", "login_throttles",
           "refresh_families", "one_time_tokens")


def snapshot(portal):
    return {table: portal.count(table) for table in WRITTEN}


@pytest.fixture
def operator(portal):
    portal.user("operador@vendor.mx", ["operator"], None)
    return portal.auth("operador@vendor.mx")


CUSTOMER = {"rfc": "CDM850101AB1", "name": "Comercializadora Demo", "system_account_number": "1000053",
            "account_numbers": ["005300"]}


def post_customer(portal, headers, **changes):
    return portal.client.post("/api/v1/customers", json={**CUSTOMER, **changes}, headers=headers)


def assert_problem(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == PROBLEM
    assert field in response.get_json()["errors"], response.get_json()


def test_malformed_json(portal, operator):
    before = snapshot(portal)
    response = portal.client.post("/api/v1/customers", data='{"rfc": "CDM850101AB1",',
                                  headers={**operator, "Content-Type": "application/json"})
    assert_problem(response, 400, "body")
    assert snapshot(portal) == before


def test_wrong_types(portal, operator):
    before = snapshot(portal)
    assert_problem(post_customer(portal, operator, account_numbers="005300"), 422, "account_numbers")
    assert_problem(post_customer(portal, operator, name=12), 422, "name")
    assert_problem(portal.client.post("/api/v1/auth/login", json={"username": "ana", "password": 5}), 422, "password")
    assert snapshot(portal) == before


def test_unknown_field(portal, operator):
    before = snapshot(portal)
    assert_problem(post_customer(portal, operator, is_vip=True), 422, "is_vip")
    assert_problem(portal.client.post("/api/v1/auth/recover", json={"email": "a@b.mx", "admin": True}), 422, "admin")
    assert snapshot(portal) == before


def test_two_megabyte_body(portal, operator):
    before = snapshot(portal)
    response = post_customer(portal, operator, name="x" * (2 * 1024 * 1024))
    assert_problem(response, 413, "body")
    assert snapshot(portal) == before


@pytest.mark.parametrize("rfc", ["CDM851301AB1", "CDM850230AB1", "CD850101AB1", "CDM850101AB", "1DM850101AB1", ""])
def test_invalid_rfc(portal, operator, rfc):
    before = snapshot(portal)
    response = post_customer(portal, operator, rfc=rfc)
    assert_problem(response, 422, "rfc")
    assert response.get_json()["code"] == "request.invalid"
    assert snapshot(portal) == before


def test_over_long_password(portal):
    portal.customer()
    before = snapshot(portal)
    response = portal.client.post("/api/v1/auth/login", json={"username": "CDM850101AB1", "password": "x" * 129})
    assert_problem(response, 422, "password")
    reset = portal.client.post("/api/v1/auth/reset", json={"token": "abc", "new_password": "y" * 129})
    assert_problem(reset, 422, "new_password")
    assert snapshot(portal) == before


def test_missing_fields_are_named(portal):
    response = portal.client.post("/api/v1/auth/login", json={})
    assert_problem(response, 422, "username")
    assert "password" in response.get_json()["errors"]


def test_duplicates_are_conflicts_naming_the_field(portal, operator):
    assert post_customer(portal, operator).status_code == 201
    before = snapshot(portal)
    same_rfc = post_customer(portal, operator, system_account_number="999")
    assert_problem(same_rfc, 409, "rfc")
    same_account = post_customer(portal, operator, rfc="XYZ900101AB1", account_numbers=["777", "005300"])
    assert_problem(same_account, 409, "account_numbers")
    same_system_account = post_customer(portal, operator, rfc="XYZ900101AB1", account_numbers=["777"])
    assert_problem(same_system_account, 409, "system_account_number")
    for refused in (same_rfc, same_account, same_system_account):
        assert refused.get_json()["code"] == "identity.already_registered"
    assert snapshot(portal) == before
