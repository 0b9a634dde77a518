"""Fixtures for the cross-service suites: one running portal per test session."""
from __future__ import annotations

import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest

from stack import DEMO_PASSWORD, Api, Stack, random_rfc, start_stack

ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"


@pytest.fixture(scope="session")
def stack() -> Stack:
    with ExitStack() as resources:
        yield start_stack(resources, ARTIFACTS / "stack")


@pytest.fixture()
def api(stack: Stack) -> Api:
    return Api(stack.gateway_url)


@pytest.fixture(scope="session")
def operator(stack: Stack) -> Api:
    client = Api(stack.gateway_url)
    client.token = client.login("operador@proveedor-demo.mx", DEMO_PASSWORD)["access_token"]
    return client


@pytest.fixture()
def register_customer(operator: Api):
    """Operator sign-up of a new customer; returns the created customer as the API answered."""

    def register(**overrides) -> dict:
        suffix = uuid.uuid4().int % 10**8
        body = {
            "rfc": random_rfc(),
            "name": f"Cliente de prueba {suffix}",
            "system_account_number": f"S{suffix:08d}",
            "account_numbers": [f"{suffix:08d}", f"{(suffix + 1) % 10**8:08d}"],
            **overrides,
        }
        response = operator.post("/api/v1/customers", body)
        assert response.status_code == 201, response.text
        return {**body, **response.json()}

    return register


@pytest.fixture()
def activated_admin(stack: Stack, api: Api, register_customer):
    """A customer whose first user went through the RFC first sign-in; returns (customer, email, password, tokens)."""

    def activate() -> tuple[dict, str, str, dict]:
        customer = register_customer()
        activation = api.login(customer["rfc"], customer["rfc"])
        email = f"admin.{customer['rfc'].lower()}@example.com"
        password = f"Nueva-Clave-{uuid.uuid4().hex[:8]}"
        response = api.post("/api/v1/auth/first-login", {"email": email, "new_password": password},
                            token=activation["access_token"])
        assert response.status_code == 200, response.text
        return customer, email, password, response.json()

    return activate
