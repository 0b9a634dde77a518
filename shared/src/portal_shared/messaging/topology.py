"""Declaring the exchange and one service's queues: main, delayed retries, dead letters.

A failed message waits in `<queue>.retry.<delay>ms` (a per-queue TTL) and is dead-lettered
back to the main queue by the broker; after the last retry it goes to `<queue>.dlq`.
"""
from __future__ import annotations

from collections.abc import Iterable

from portal_shared.config import MessagingConfig, env_str


def queue_arguments() -> dict:
    """Arguments every queue of ours carries; QUEUE_TYPE=quorum for replicated clusters."""
    queue_type = env_str("QUEUE_TYPE", "classic").strip().lower()
    if queue_type not in {"classic", "quorum"}:
        raise RuntimeError(f"QUEUE_TYPE must be 'classic' or 'quorum', got {queue_type!r}")
    return {"x-queue-type": "quorum"} if queue_type == "quorum" else {}


def declare_exchange(channel, config: MessagingConfig) -> None:
    channel.exchange_declare(exchange=config.exchange, exchange_type="topic", durable=True)


def declare_topology(channel, config: MessagingConfig, routing_keys: Iterable[str]) -> None:
    """Idempotent: every consumer declares its own queues on each (re)connect."""
    declare_exchange(channel, config)
    base = queue_arguments()
    channel.queue_declare(queue=config.queue_name, durable=True, arguments=dict(base))
    for key in sorted(set(routing_keys)):
        channel.queue_bind(queue=config.queue_name, exchange=config.exchange, routing_key=key)
    for delay in config.retry_delays_ms:
        if delay <= 0:
            raise RuntimeError(f"RETRY_DELAYS_MS must be positive, got {delay}")
        channel.queue_declare(
            queue=config.retry_queue(delay),
            durable=True,
            arguments={
                **base,
                "x-message-ttl": delay,
                # The default exchange routes by queue name, so expiry lands back in the main queue.
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": config.queue_name,
            },
        )
    channel.queue_declare(queue=config.dead_letter_queue, durable=True, arguments=dict(base))
