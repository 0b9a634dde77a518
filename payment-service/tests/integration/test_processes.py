"""payment-consumer and payment-relay as real processes on RabbitMQ and PostgreSQL.

billing.account.opened goes in through the broker and lands in payment's database; the
relay (nothing to send yet) starts and stops cleanly. The exchange and queues are this run's own.
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

from payment_service.adapters.orm import PayableAccount
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
    exchange, prefix = unique_name("payment_test_events"), unique_name("payment_test") + "."
    connection = pika.BlockingConnection(pika.URLParameters(amqp_server_url()))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    yield exchange, prefix, channel
    channel = connection.channel()
    for queue in ("payment-service", "payment-service.dlq", *(f"payment-service.retry.{d}ms" for d in (200, 400))):
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


def publish(channel, exchange: str, event) -> None:
    channel.basic_publish(
        exchange, event.routing_key, json.dumps(event.to_message()).encode(),
        pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=str(event.id)),
    )


def test_announcement_through_the_broker_lands_once(broker, start, announcement, session_factory):
    exchange, prefix, channel = broker
    start("payment-consumer", exchange, prefix)
    start("payment-relay", exchange, prefix)
    poll(lambda: consumers_on(channel.connection, prefix + "payment-service"), what="payment-consumer attached to its queue")

    event = announcement()
    publish(channel, exchange, event)
    publish(channel, exchange, event)  # at-least-once: the same message twice
    # One consumer applies its queue in order: once the marker is in, the duplicate was handled.
    marker = announcement(customer_id=event.data["customer_id"])
    publish(channel, exchange, marker)

    def rows():
        with transaction(session_factory) as session:
            return session.scalars(
                sa.select(PayableAccount)
                .where(PayableAccount.customer_id == event.data["customer_id"])
                .order_by(PayableAccount.account_number)
            ).all()

    poll(lambda: any(r.account_id == marker.data["account_id"] for r in rows()), what="marker account recorded")
    assert sorted((r.account_id, r.account_number) for r in rows()) == sorted(
        (e.data["account_id"], e.data["account_number"]) for e in (event, marker)
    )
