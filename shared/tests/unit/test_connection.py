"""Opening a broker connection: every way of failing to reach the broker is one error the
relay and consumer loops know how to wait out."""
from __future__ import annotations

import pika
import pytest

from portal_shared.messaging import connection
from portal_shared.messaging.errors import BrokerUnavailable, TransportUnavailable


@pytest.mark.parametrize(
    "failure",
    [
        pika.exceptions.AMQPConnectionError("refused"),
        ConnectionRefusedError(111, "Connection refused"),
        # What pika raises when the peer accepts the TCP connection and resets it at once.
        ValueError("Expected connected socket, but getpeername() failed"),
    ],
)
def test_any_failure_to_connect_is_broker_unavailable(monkeypatch, failure):
    def refuse(_parameters):
        raise failure

    monkeypatch.setattr(connection.pika, "BlockingConnection", refuse)
    with pytest.raises(BrokerUnavailable) as raised:
        connection.connect("amqp://guest:guest@127.0.0.1:5672/%2F", name="test")
    assert isinstance(raised.value, TransportUnavailable)
