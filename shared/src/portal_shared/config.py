"""Reading configuration from environment variables with working defaults."""
from __future__ import annotations

import os


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be a number, got {value!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


class MessagingConfig:
    """The broker settings every publishing or consuming process reads."""

    def __init__(self, service_name: str):
        self.service_name = service_name
        self.amqp_url = env_str("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
        self.exchange = env_str("EVENTS_EXCHANGE", "portal.events")
        # A prefix keeps parallel test runs (or tenants of one broker) on their own queues.
        self.queue_prefix = env_str("QUEUE_PREFIX", "")
        self.retry_delays_ms = [int(v) for v in env_list("RETRY_DELAYS_MS", ["1000", "5000", "30000"])]
        self.prefetch = env_int("CONSUMER_PREFETCH", 10)
        self.outbox_poll_seconds = env_float("OUTBOX_POLL_SECONDS", 0.05)
        # PostgreSQL only: relays wake on the writer's NOTIFY and poll every
        # OUTBOX_LISTEN_POLL_SECONDS as a fallback; OUTBOX_LISTEN=false polls as on SQLite.
        self.outbox_listen = env_bool("OUTBOX_LISTEN", True)
        self.outbox_listen_poll_seconds = env_float("OUTBOX_LISTEN_POLL_SECONDS", 1.0)
        self.outbox_batch_size = env_int("OUTBOX_BATCH_SIZE", 100)
        self.outbox_unroutable_grace_seconds = env_float("OUTBOX_UNROUTABLE_GRACE_SECONDS", 600.0)

    @property
    def queue_name(self) -> str:
        return f"{self.queue_prefix}{self.service_name}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.queue_name}.dlq"

    def retry_queue(self, delay_ms: int) -> str:
        # The delay is part of the name: a queue's TTL cannot change once declared.
        return f"{self.queue_name}.retry.{delay_ms}ms"
