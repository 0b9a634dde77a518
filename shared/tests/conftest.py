"""Fixtures for the shared library's tests: a fresh PostgreSQL database and an isolated broker
namespace (own exchange and queue prefix) per test, on the real servers."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pika
import pytest
import sqlalchemy as sa

from portal_shared.config import MessagingConfig
from portal_shared.db import make_engine, make_session_factory
from portal_shared.inbox import define_inbox
from portal_shared.outbox import define_outbox
from portal_shared.testing import amqp_server_url, temporary_database, unique_name


def wait_for(predicate: Callable[[], object], *, timeout: float = 10.0, interval: float = 0.02, what: str = "condition"):
    """Poll until predicate() is truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Tables:
    metadata: sa.MetaData
    outbox: sa.Table
    inbox: sa.Table
    effects: sa.Table


def _tables() -> Tables:
    # These are library tests: plain metadata stands in for a service's migrations.
    metadata = sa.MetaData()
    effects = sa.Table(
        "effects",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # Deliberately not unique: a second application of an event would show as a second row.
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
    )
    return Tables(metadata, define_outbox(metadata), define_inbox(metadata), effects)


@pytest.fixture
def tables() -> Tables:
    return _tables()


@pytest.fixture
def database_url(tables: Tables) -> Iterator[str]:
    with temporary_database("shared_msg") as url:
        engine = make_engine(url)
        tables.metadata.create_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


class Broker:
    """A direct (never proxied) connection for arranging and inspecting broker state."""

    def __init__(self, url: str):
        self.url = url
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()

    def depth(self, queue: str) -> int:
        return self.channel.queue_declare(queue=queue, passive=True).method.message_count

    def consumers(self, queue: str) -> int:
        return self.channel.queue_declare(queue=queue, passive=True).method.consumer_count

    def publish(self, exchange: str, routing_key: str, body: bytes, properties: pika.BasicProperties | None = None):
        self.channel.basic_publish(
            exchange=exchange,
            routing_key=routing_key,
            body=body,
            properties=properties or pika.BasicProperties(content_type="application/json", delivery_mode=2),
            mandatory=True,
        )

    def drain(self, queue: str) -> list[tuple[pika.BasicProperties, bytes]]:
        """Take (and ack) every message now in the queue."""
        taken = []
        while True:
            method, properties, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                return taken
            taken.append((properties, body))

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


@pytest.fixture
def messaging_config(monkeypatch) -> Iterator[MessagingConfig]:
    """MessagingConfig for service "testsvc" on its own exchange and queue names; removed afterwards."""
    url = amqp_server_url()
    monkeypatch.setenv("AMQP_URL", url)
    monkeypatch.setenv("QUEUE_PREFIX", unique_name("t") + ".")
    monkeypatch.setenv("EVENTS_EXCHANGE", unique_name("ex"))
    monkeypatch.setenv("RETRY_DELAYS_MS", "50,100")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "0.02")
    monkeypatch.delenv("QUEUE_TYPE", raising=False)
    config = MessagingConfig("testsvc")
    yield config
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        for queue in [config.queue_name, config.dead_letter_queue] + [config.retry_queue(d) for d in config.retry_delays_ms]:
            channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=config.exchange)
    finally:
        connection.close()


@pytest.fixture
def broker(messaging_config: MessagingConfig) -> Iterator[Broker]:
    broker = Broker(messaging_config.amqp_url)
    yield broker
    broker.close()


@pytest.fixture(name="wait_for")
def wait_for_fixture():
    return wait_for


@pytest.fixture
def make_event():
    """A valid identity.user.created v1 event (any registered type would do)."""
    import uuid

    from portal_shared.contracts import new_event

    def make(correlation_id: str | None = None, username: str = "someone"):
        return new_event(
            "identity.user.created",
            1,
            {"user_id": uuid.uuid4(), "customer_id": None, "username": username, "email": None, "roles": ["agent"]},
            producer="test",
            correlation_id=correlation_id,
        )

    return make
