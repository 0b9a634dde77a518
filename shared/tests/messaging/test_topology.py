"""Queue declarations: retry queues dead-letter back to the main queue; quorum on request."""
from __future__ import annotations

import pika
import pika.exceptions
import pytest

from portal_shared.messaging import declare_topology


def test_quorum_queues_on_request(messaging_config, broker, monkeypatch):
    monkeypatch.setenv("QUEUE_TYPE", "quorum")
    declare_topology(broker.channel, messaging_config, ["identity.user.created.v1"])
    # Re-declaring as a classic queue is refused by the broker only if the queue is a quorum queue.
    with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
        broker.channel.queue_declare(queue=messaging_config.queue_name, durable=True)
    assert refused.value.reply_code == 406
    broker.channel = broker.connection.channel()
    broker.channel.confirm_delivery()


def test_retry_queue_returns_messages_to_the_main_queue_after_its_delay(messaging_config, broker, wait_for):
    declare_topology(broker.channel, messaging_config, ["identity.user.created.v1"])
    retry = messaging_config.retry_queue(messaging_config.retry_delays_ms[0])
    broker.publish("", retry, b"{}", pika.BasicProperties(delivery_mode=2, headers={"x-retry-count": 1}))
    wait_for(lambda: broker.depth(messaging_config.queue_name) == 1, timeout=5, what="expiry back to the main queue")
    assert broker.depth(retry) == 0
    [(properties, body)] = broker.drain(messaging_config.queue_name)
    assert body == b"{}" and properties.headers["x-retry-count"] == 1


def test_unknown_queue_type_is_refused(messaging_config, broker, monkeypatch):
    monkeypatch.setenv("QUEUE_TYPE", "stream")
    with pytest.raises(RuntimeError, match="QUEUE_TYPE"):
        declare_topology(broker.channel, messaging_config, [])
