"""Opening a blocking AMQP connection with settings that fail fast instead of hanging."""
from __future__ import annotations

import pika
import pika.exceptions

from portal_shared.messaging.errors import BrokerUnavailable


def connection_parameters(amqp_url: str, *, name: str | None = None) -> pika.URLParameters:
    params = pika.URLParameters(amqp_url)
    # Reconnecting is the caller's loop (with back-off), not pika's.
    params.connection_attempts = 1
    if params.socket_timeout is None or params.socket_timeout > 10:
        params.socket_timeout = 5
    # A broker under a memory or disk alarm blocks publishers; give up and reconnect rather than hang.
    if params.blocked_connection_timeout is None:
        params.blocked_connection_timeout = 30
    if name:
        properties = dict(params.client_properties or {})
        properties.setdefault("connection_name", name)
        params.client_properties = properties
    return params


def connect(amqp_url: str, *, name: str | None = None) -> pika.BlockingConnection:
    """A new BlockingConnection; BrokerUnavailable when the broker cannot be reached."""
    try:
        return pika.BlockingConnection(connection_parameters(amqp_url, name=name))
    except (pika.exceptions.AMQPError, OSError) as exc:
        raise BrokerUnavailable(f"cannot connect to the broker: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        # pika raises ValueError when the peer accepts the TCP connection and drops it at once
        # (a broker going down, or a proxy in front of it): that is an unreachable broker too,
        # and must reach the caller's reconnect loop instead of ending the process.
        raise BrokerUnavailable(f"cannot connect to the broker: {type(exc).__name__}: {exc}") from exc


def close_quietly(connection: pika.BlockingConnection | None) -> None:
    """Close a connection that may already be broken; a failure here changes nothing for the caller."""
    if connection is None:
        return
    try:
        if connection.is_open:
            connection.close()
    except (pika.exceptions.AMQPError, OSError):
        pass
