"""A service's real relay and consumer processes on an exchange and queues of the test's own."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pika
import pytest

from portal_shared.contracts import Event
from portal_shared.testing.servers import amqp_server_url, unique_name
from portal_shared.testing.service import poll_until

# Short retry delays, so the retry queues' names are known for deleting them afterwards.
RETRY_DELAYS_MS = (200, 400)
# Console scripts live beside the interpreter running the tests (the virtualenv's bin).
BIN = Path(sys.executable).parent


class IsolatedBroker:
    """A channel on an exchange only this test uses; the service's queues carry a prefix of its own."""

    def __init__(self, service: str, channel) -> None:
        self.service = service
        self.channel = channel
        self.exchange = unique_name(f"{service}_test_events")
        self.prefix = unique_name(f"{service}_test") + "."
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)

    @property
    def service_queue(self) -> str:
        return self.prefix + self.service

    def queues(self) -> list[str]:
        """The queues the service's consumer declares under this prefix."""
        names = [self.service, f"{self.service}.dlq", *(f"{self.service}.retry.{d}ms" for d in RETRY_DELAYS_MS)]
        return [self.prefix + name for name in names]

    def environment(self) -> dict[str, str]:
        return {
            "AMQP_URL": amqp_server_url(),
            "EVENTS_EXCHANGE": self.exchange,
            "QUEUE_PREFIX": self.prefix,
            "RETRY_DELAYS_MS": ",".join(str(d) for d in RETRY_DELAYS_MS),
        }

    def publish(self, event: Event) -> None:
        self.channel.basic_publish(
            self.exchange,
            event.routing_key,
            json.dumps(event.to_message()).encode(),
            pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=str(event.id)),
        )

    def listen(self, routing_key: str) -> str:
        """An exclusive queue receiving what is published with `routing_key`; returns its name."""
        queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(queue, self.exchange, routing_key=routing_key)
        return queue

    def take(self, queue: str) -> list[dict]:
        """Every message now in `queue`, acknowledged, as parsed JSON."""
        taken = []
        while (delivery := self.channel.basic_get(queue, auto_ack=True))[0] is not None:
            taken.append(json.loads(delivery[2]))
        return taken

    def consumers_on(self, queue: str) -> int:
        """Consumers attached to a queue; 0 while it does not exist (a failed passive declare closes its channel)."""
        probe = self.channel.connection.channel()
        try:
            return probe.queue_declare(queue, passive=True).method.consumer_count
        except pika.exceptions.ChannelClosedByBroker:
            return 0
        finally:
            if probe.is_open:
                probe.close()

    def wait_for_consumer(self) -> None:
        poll_until(lambda: self.consumers_on(self.service_queue), what=f"the {self.service} consumer on its queue")


@contextmanager
def isolated_broker(service: str) -> Iterator[IsolatedBroker]:
    """The exchange and the service's queues are deleted afterwards."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_server_url()))
    try:
        broker = IsolatedBroker(service, connection.channel())
        yield broker
        channel = connection.channel()
        for queue in broker.queues():
            channel.queue_delete(queue)
        channel.exchange_delete(broker.exchange)
    finally:
        if connection.is_open:
            connection.close()


class ServiceProcesses:
    """Console scripts started against one database and one isolated broker.

    stop_all() sends SIGTERM to each; every one must then exit 0 within 15 s.
    """

    def __init__(self, database_url: str, broker: IsolatedBroker, log_dir: Path) -> None:
        self.database_url = database_url
        self.broker = broker
        self.log_dir = log_dir
        self.started: list[tuple[str, subprocess.Popen, Path]] = []

    def start(self, script: str) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": self.database_url, **self.broker.environment()}
        log_path = self.log_dir / f"{script}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen([str(BIN / script)], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append((script, process, log_path))
        return process

    def stop_all(self) -> None:
        for script, process, log_path in self.started:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                pytest.fail(f"{script} ignored SIGTERM:\n{log_path.read_text()}")
            assert code == 0, f"{script} exited {code}:\n{log_path.read_text()}"
