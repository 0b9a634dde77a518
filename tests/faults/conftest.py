"""The fault suite's portal: the same processes as the end-to-end suites, on a PostgreSQL and a
RabbitMQ of its own (servers.py), so it can kill and restart them without touching anyone else's.

Overrides the `stack` fixture: the shared fixtures (operator, billing_customer, ...) then run on it.
"""
from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from servers import OwnPostgres, OwnRabbit, own_servers
from stack import DEMO_PASSWORD, SERVICES, Api, SignedInApi, Stack, start_stack

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


@pytest.fixture(scope="session")
def servers() -> tuple[OwnPostgres, OwnRabbit]:
    with own_servers() as started:
        yield started


@pytest.fixture(scope="session")
def stack(servers) -> Stack:
    postgres, rabbit = servers
    database_urls = {name: postgres.create_database(f"faults_{name}") for name in SERVICES}
    with ExitStack() as resources:
        yield start_stack(resources, ARTIFACTS / "faults-stack", amqp_url=rabbit.amqp_url, database_urls=database_urls)


@pytest.fixture(scope="session")
def operator(stack: Stack) -> Api:
    """The operator signed in at this suite's own portal: a session fixture of the parent conftest is
    cached with the first stack it met, so run with the other suites it would hold the other portal's token."""
    return SignedInApi(stack.gateway_url, "operador@proveedor-demo.mx", DEMO_PASSWORD)
