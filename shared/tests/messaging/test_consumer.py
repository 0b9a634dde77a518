"""The consumer runner: idempotency, retries, dead letters, poison messages, clean stop."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pika
import sqlalchemy as sa

from portal_shared.correlation import get_correlation_id
from portal_shared.messaging import Consumer, peek_dead_letters

USER_CREATED = ("identity.user.created", 1)
USER_CREATED_KEY = "identity.user.created.v1"


def _props(event_id: str | None = None, correlation_id: str | None = None) -> pika.BasicProperties:
    return pika.BasicProperties(
        content_type="application/json", delivery_mode=2, message_id=event_id, correlation_id=correlation_id
    )


def _publish_event(broker, config, event, correlation_id=None):
    broker.publish(
        config.exchange, USER_CREATED_KEY, json.dumps(event.to_message()).encode(), _props(str(event.id), correlation_id)
    )


def _count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(table))


class _Running:
    """Runs consumers in threads and always stops them, so a failing test leaves nothing behind."""

    def __init__(self, *consumers: Consumer):
        self.consumers = consumers
        self.threads = [threading.Thread(target=c.run, daemon=True) for c in consumers]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        for consumer in self.consumers:
            assert consumer.wait_until_consuming(10), "consumer did not attach to its queue"
        return self

    def __exit__(self, *_exc):
        for consumer in self.consumers:
            consumer.stop()
        for thread in self.threads:
            thread.join(timeout=10)
        assert not any(t.is_alive() for t in self.threads), "a consumer did not stop"

    def total(self, outcome: str) -> int:
        return sum(c.stats[outcome] for c in self.consumers)


def _recording_handler(tables, calls: list | None = None, delay: float = 0.0):
    def handle(session, event):
        if calls is not None:
            calls.append((event.id, get_correlation_id()))
        session.execute(tables.effects.insert().values(event_id=str(event.id)))
        if delay:
            # Keeps this transaction open so a concurrent duplicate meets the uncommitted inbox row.
            time.sleep(delay)

    return handle


def test_same_message_twice_has_one_effect(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for
):
    calls: list = []
    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: _recording_handler(tables, calls)}, messaging_config)
    event, sentinel = make_event(correlation_id="abc-123"), make_event()
    with _Running(consumer) as running:
        _publish_event(broker, messaging_config, event, correlation_id="abc-123")
        _publish_event(broker, messaging_config, event, correlation_id="abc-123")
        _publish_event(broker, messaging_config, sentinel)
        wait_for(lambda: running.total("applied") + running.total("duplicate") == 3, what="three deliveries handled")
    assert consumer.stats["applied"] == 2 and consumer.stats["duplicate"] == 1
    with engine.connect() as connection:
        effects = connection.execute(sa.select(tables.effects.c.event_id)).scalars().all()
    assert sorted(effects) == sorted([str(event.id), str(sentinel.id)])
    assert _count(engine, tables.inbox) == 2
    assert calls[0] == (event.id, "abc-123")  # the handler ran under the message's correlation id
    assert broker.depth(messaging_config.queue_name) == 0


def test_two_consumers_given_one_event_concurrently_apply_it_once(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for, monkeypatch
):
    # Prefetch 1: while the first consumer holds the first copy, the broker must hand the
    # second copy to the other consumer, so the two really overlap.
    monkeypatch.setenv("CONSUMER_PREFETCH", "1")
    from portal_shared.config import MessagingConfig

    config = MessagingConfig("testsvc")
    handler = _recording_handler(tables, delay=0.5)
    consumers = [Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: handler}, config) for _ in range(2)]
    event = make_event()
    with _Running(*consumers) as running:
        _publish_event(broker, config, event)
        _publish_event(broker, config, event)
        wait_for(lambda: running.total("applied") + running.total("duplicate") == 2, what="both copies handled")
    assert [c.stats["applied"] + c.stats["duplicate"] for c in consumers] == [1, 1]
    assert running.total("applied") == 1 and running.total("duplicate") == 1
    assert _count(engine, tables.effects) == 1
    assert _count(engine, tables.inbox) == 1
    assert broker.depth(config.queue_name) == 0


def test_failing_handler_is_retried_then_dead_lettered(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for
):
    attempts: list = []

    def always_fails(session, event):
        session.execute(tables.effects.insert().values(event_id=str(event.id)))
        attempts.append(event.id)
        raise RuntimeError("ledger is closed")

    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: always_fails}, messaging_config)
    event = make_event()
    with _Running(consumer) as running:
        _publish_event(broker, messaging_config, event, correlation_id="cid-dlq")
        wait_for(lambda: running.total("dead_lettered") == 1, what="message dead-lettered")
    # One first try plus one per configured delay (RETRY_DELAYS_MS=50,100).
    assert len(attempts) == 3 and consumer.stats["retried"] == 2
    assert _count(engine, tables.effects) == 0 and _count(engine, tables.inbox) == 0  # every try rolled back
    assert broker.depth(messaging_config.queue_name) == 0
    for delay in messaging_config.retry_delays_ms:
        assert broker.depth(messaging_config.retry_queue(delay)) == 0
    [dead] = peek_dead_letters(messaging_config)
    assert json.loads(dead.body)["id"] == str(event.id)
    assert dead.message_id == str(event.id) and dead.correlation_id == "cid-dlq"
    assert "RuntimeError: ledger is closed" in dead.error and "after 2 retries" in dead.error
    assert dead.headers["x-retry-count"] == 2


def test_failure_then_success_applies_once_via_the_retry_queue(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for
):
    tries: list = []

    def flaky(session, event):
        tries.append(event.id)
        if len(tries) == 1:
            raise ConnectionError("billing API timed out")
        session.execute(tables.effects.insert().values(event_id=str(event.id)))

    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: flaky}, messaging_config)
    with _Running(consumer) as running:
        _publish_event(broker, messaging_config, make_event())
        wait_for(lambda: running.total("applied") == 1, what="message applied after one retry")
    assert len(tries) == 2 and consumer.stats["retried"] == 1
    assert _count(engine, tables.effects) == 1
    assert peek_dead_letters(messaging_config) == []


def test_poison_and_unhandled_messages_go_straight_to_the_dead_letter_queue(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for
):
    calls: list = []
    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: _recording_handler(tables, calls)}, messaging_config)
    bad_data = make_event().to_message()
    bad_data["data"]["roles"] = "not-a-list"
    unhandled = make_event().to_message()
    unhandled["type"], unhandled["data"] = "identity.user.roles_changed", {
        "user_id": unhandled["data"]["user_id"], "customer_id": None, "roles": ["admin"]
    }
    with _Running(consumer) as running:
        broker.publish(messaging_config.exchange, USER_CREATED_KEY, b"{not json", _props())
        broker.publish(messaging_config.exchange, USER_CREATED_KEY, json.dumps({"hello": 1}).encode(), _props())
        broker.publish(messaging_config.exchange, USER_CREATED_KEY, json.dumps(bad_data).encode(), _props())
        # Straight into the main queue: a stale binding would deliver a type nobody handles.
        broker.publish("", messaging_config.queue_name, json.dumps(unhandled).encode(), _props())
        wait_for(lambda: running.total("dead_lettered") == 4, what="four messages dead-lettered")
    assert calls == [] and consumer.stats["retried"] == 0
    dead = peek_dead_letters(messaging_config)
    assert len(dead) == 4
    errors = sorted(d.error for d in dead)
    assert sum(e.startswith("invalid event") for e in errors) == 3
    assert any("data refused" in e for e in errors)
    assert any(e.startswith("no handler bound for identity.user.roles_changed v1") for e in errors)
    assert all("x-retry-count" not in d.headers for d in dead)
    assert broker.depth(messaging_config.queue_name) == 0


CONSUMER_PROCESS = textwrap.dedent(
    """
    import os, pathlib, time
    import sqlalchemy as sa
    from portal_shared.db import make_engine, make_session_factory
    from portal_shared.inbox import define_inbox
    from portal_shared.messaging import run_consumer

    metadata = sa.MetaData()
    inbox = define_inbox(metadata)
    effects = sa.Table("effects", metadata, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("event_id", sa.String(36)), sa.Column("note", sa.String(200)))
    marker = pathlib.Path(os.environ["STARTED_MARKER"])
    release = pathlib.Path(os.environ["RELEASE_MARKER"])

    def slow(session, event):
        marker.write_text(str(event.id))
        # Still in hand when the SIGTERM arrives: the test lets it go only after sending it.
        deadline = time.monotonic() + 60
        while not release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        session.execute(effects.insert().values(event_id=str(event.id), note="finished"))

    run_consumer(service="testsvc", session_factory=make_session_factory(make_engine(os.environ["DATABASE_URL"])),
                 inbox_table=inbox, handlers={("identity.user.created", 1): slow})
    """
)


def test_sigterm_lets_the_message_in_hand_finish_and_exits_zero(
    engine, database_url, tables, messaging_config, broker, make_event, wait_for, tmp_path
):
    marker, release = tmp_path / "started", tmp_path / "release"
    env = {**os.environ, "DATABASE_URL": database_url, "STARTED_MARKER": str(marker), "RELEASE_MARKER": str(release)}
    process = subprocess.Popen([sys.executable, "-c", CONSUMER_PROCESS], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        from portal_shared.messaging import declare_topology

        declare_topology(broker.channel, messaging_config, [USER_CREATED_KEY])
        wait_for(lambda: broker.consumers(messaging_config.queue_name) == 1, timeout=20, what="subprocess consumer attached")
        event = make_event()
        _publish_event(broker, messaging_config, event)
        wait_for(marker.exists, what="handler started in the subprocess")
        process.send_signal(signal.SIGTERM)
        release.write_text("go")
        returncode = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = process.stdout.read().decode()
    assert returncode == 0, output
    # The message in hand was finished, committed and acked, not abandoned.
    with engine.connect() as connection:
        assert connection.execute(sa.select(tables.effects.c.note)).scalars().all() == ["finished"]
    assert broker.depth(messaging_config.queue_name) == 0
    assert '"consumer stopped"' in output or "consumer stopped" in output
