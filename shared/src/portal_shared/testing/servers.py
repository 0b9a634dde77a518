"""Finding (or starting) PostgreSQL and RabbitMQ for a test run, and isolating the run on them."""
from __future__ import annotations

import atexit
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

_containers: dict[str, object] = {}


def unique_name(prefix: str) -> str:
    """A name no other run uses: databases, queues and exchanges of parallel runs never meet."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _docker_engine_answers() -> bool:
    try:
        import docker  # installed with testcontainers

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means there is no engine to use
        return False


def _start(container, what: str, variable: str) -> None:
    """Start a testcontainers container, or fail saying what to do instead (an engine that cannot
    pull its image, e.g. with no registry reachable, is no server for the tests)."""
    try:
        container.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported the same way
        pytest.fail(f"These tests need {what}: a Docker engine answers but could not start one "
                    f"({type(exc).__name__}: {str(exc)[:200]}). Set {variable} and run again.")


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url.replace("+psycopg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def postgres_server_url() -> str:
    """A PostgreSQL server URL on which the test run may create databases."""
    url = os.environ.get("DATABASE_URL")
    if url:
        if not url.startswith("postgresql"):
            pytest.fail(f"DATABASE_URL must point at PostgreSQL for the tests, got {url!r}")
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        if not _reachable(url, 5432):
            pytest.fail(f"PostgreSQL is not reachable at DATABASE_URL={url!r}: start it (see docs/testing.md) and run again")
        return url
    if "postgres" not in _containers:
        if not _docker_engine_answers():
            pytest.fail(
                "These tests need PostgreSQL: set DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) "
                "or run them where a Docker engine can start one."
            )
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver="psycopg")
        _start(container, "PostgreSQL", "DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
        atexit.register(container.stop)
        _containers["postgres"] = container
    return _containers["postgres"].get_connection_url()  # type: ignore[attr-defined]


def amqp_server_url() -> str:
    url = os.environ.get("AMQP_URL")
    if url:
        if not _reachable(url, 5672):
            pytest.fail(f"RabbitMQ is not reachable at AMQP_URL={url!r}: start it (rabbitmq-server -detached) and run again")
        return url
    if "rabbitmq" not in _containers:
        if not _docker_engine_answers():
            pytest.fail(
                "These tests need RabbitMQ: set AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672/%2F) "
                "or run them where a Docker engine can start one."
            )
        from testcontainers.rabbitmq import RabbitMqContainer

        container = RabbitMqContainer("rabbitmq:3.13-alpine")
        _start(container, "RabbitMQ", "AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672/%2F)")
        atexit.register(container.stop)
        _containers["rabbitmq"] = container
    container = _containers["rabbitmq"]
    host = container.get_container_host_ip()  # type: ignore[attr-defined]
    port = container.get_exposed_port(5672)  # type: ignore[attr-defined]
    return f"amqp://guest:guest@{host}:{port}/%2F"


@contextmanager
def temporary_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for this run only; dropped afterwards."""
    server = make_url(postgres_server_url())
    name = unique_name(prefix).lower()
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
