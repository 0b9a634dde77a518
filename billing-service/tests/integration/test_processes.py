"""billing-consumer and billing-relay as real processes on RabbitMQ and PostgreSQL.

identity.customer.registered goes in through the broker; billing.account.opened comes out
through the outbox and the relay. The exchange and queues are this run's own.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pika
import pytest
import sqlalchemy as sa

from billing_service.adapters.orm import BillingAccount
from portal_shared.db import transaction
from portal_shared.testing import amqp_server_url, unique_name

BIN = Path(sys.executable).parent


def poll(predicate, *, timeout: float = 15.0, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def consumers_on(connection, queue: str) -> int:
    """Consumers attached to a queue; 0 while it does not exist (a failed passive declare closes its channel)."""
    probe = connection.channel()
    try:
        return probe.queue_declare(queue, passive=True).method.consumer_count
    except pika.exceptions.ChannelClosedByBroker:
        return 0
    finally:
        if probe.is_open:
            probe.close()


@pytest.fixture
def broker():
    """A channel on this run's own exchange; the exchange and its queues are deleted afterwards."""
    exchange, prefix = unique_name("billing_test_events"), unique_name("billing_test") + "."
    connection = pika.BlockingConnection(pika.URLParameters(amqp_server_url()))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    yield exchange, prefix, channel
    channel = connection.channel()
    for queue in ("billing-service", "billing-service.dlq", *(f"billing-service.retry.{d}ms" for d in (200, 400))):
        channel.queue_delete(prefix + queue)
    channel.exchange_delete(exchange)
    connection.close()


@pytest.fixture
def start(database_url, tmp_path):
    """Start a console script of this package; at the end it must stop on SIGTERM with exit 0."""
    started: list[tuple[str, subprocess.Popen, Path]] = []

    def run(script: str, exchange: str, prefix: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "AMQP_URL": amqp_server_url(),
            "EVENTS_EXCHANGE": exchange,
            "QUEUE_PREFIX": prefix,
            "RETRY_DELAYS_MS": "200,400",
        }
        log_path = tmp_path / f"{script}.log"
        process = subprocess.Popen([str(BIN / script)], env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)
        started.append((script, process, log_path))
        return process

    yield run
    for script, process, log_path in started:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"{script} ignored SIGTERM:\n{log_path.read_text()}")
        assert code == 0, f"{script} exited {code}:\n{log_path.read_text()}"


def test_registration_through_the_broker_opens_accounts_and_announces_them(broker, start, registration, session_factory):
    exchange, prefix, channel = broker
    announcements = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(announcements, exchange, routing_key="billing.account.opened.v1")

    start("billing-consumer", exchange, prefix)
    start("billing-relay", exchange, prefix)
    poll(lambda: consumers_on(channel.connection, prefix + "billing-service"), what="billing-consumer attached to its queue")

    event = registration()
    channel.basic_publish(
        exchange, event.routing_key, json.dumps(event.to_message()).encode(),
        pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=str(event.id)),
    )

    def accounts():
        with transaction(session_factory) as session:
            return set(session.scalars(
                sa.select(BillingAccount.account_number).where(BillingAccount.customer_id == event.data["customer_id"])
            ))

    assert poll(accounts, what="billing accounts opened by the consumer") == set(event.data["account_numbers"])

    # The relay drains every unsent outbox row, including those earlier tests left in this database.
    mine = str(event.data["customer_id"])
    received = []

    def collect():
        while (delivery := channel.basic_get(announcements, auto_ack=True))[0] is not None:
            message = json.loads(delivery[2])
            if message["data"]["customer_id"] == mine:
                received.append(message)
        return len(received) == len(event.data["account_numbers"])

    poll(collect, what="billing.account.opened published by the relay")
    assert {m["data"]["account_number"] for m in received} == set(event.data["account_numbers"])
    assert {m["producer"] for m in received} == {"billing-service"}
