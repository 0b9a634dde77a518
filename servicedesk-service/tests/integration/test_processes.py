"""servicedesk-consumer and servicedesk-relay as real processes on RabbitMQ and PostgreSQL.

identity's customer and user events go in through the broker and land in the directory; the
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

from portal_shared.db import transaction
from portal_shared.testing import amqp_server_url, unique_name
from servicedesk_service.adapters.orm import Customer, User

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
    exchange, prefix = unique_name("servicedesk_test_events"), unique_name("servicedesk_test") + "."
    connection = pika.BlockingConnection(pika.URLParameters(amqp_server_url()))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    yield exchange, prefix, channel
    channel = connection.channel()
    for queue in ("servicedesk-service", "servicedesk-service.dlq", *(f"servicedesk-service.retry.{d}ms" for d in (200, 400))):
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


def test_customer_and_user_through_the_broker(broker, start, registration, user_creation, session_factory):
    exchange, prefix, channel = broker
    start("servicedesk-consumer", exchange, prefix)
    start("servicedesk-relay", exchange, prefix)
    poll(lambda: consumers_on(channel.connection, prefix + "servicedesk-service"),
         what="servicedesk-consumer attached to its queue")

    customer = registration()
    user = user_creation(customer_id=customer.data["customer_id"], roles=["admin"])
    publish(channel, exchange, user)
    publish(channel, exchange, customer)

    def directory():
        with transaction(session_factory) as session:
            return (session.get(Customer, customer.data["customer_id"]), session.get(User, user.data["user_id"]))

    stored_customer, stored_user = poll(lambda: all(directory()) and directory(), what="customer and user recorded")
    assert stored_customer.rfc == customer.data["rfc"]
    assert (stored_user.customer_id, stored_user.roles) == (customer.data["customer_id"], ["admin"])
