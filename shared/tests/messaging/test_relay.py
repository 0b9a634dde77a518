"""The outbox relay against real PostgreSQL and RabbitMQ."""
from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from portal_shared.messaging import EventSender, OutboxRelay, declare_topology
from portal_shared.outbox import Outbox
from portal_shared.testing import TcpProxy

USER_CREATED = "identity.user.created.v1"


def _bind(broker, config, keys=(USER_CREATED,)):
    declare_topology(broker.channel, config, keys)


def _write(engine, outbox_table, events):
    with engine.begin() as connection:
        for event in events:
            # Outbox.add_event takes a Session or Connection alike: both have execute().
            Outbox(outbox_table).add_event(connection, event)


def _sent_count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.sent_at.is_not(None)))


def _message_ids(messages) -> list[str]:
    return [properties.message_id for properties, _body in messages]


def test_relay_publishes_confirmed_and_marks_sent_but_never_rolled_back_rows(
    engine, tables, messaging_config, broker, make_event, session_factory
):
    _bind(broker, messaging_config)
    committed = [make_event(correlation_id=f"cid-{n}") for n in range(3)]
    _write(engine, tables.outbox, committed)
    rolled_back = make_event()
    session = session_factory()
    Outbox(tables.outbox).add_event(session, rolled_back)
    session.rollback()
    session.close()

    relay = OutboxRelay(engine, tables.outbox, EventSender(messaging_config))
    try:
        assert relay.run_once() == 3
        assert relay.run_once() == 0
    finally:
        relay.close()

    with engine.connect() as connection:
        rows = connection.execute(sa.select(tables.outbox).order_by(tables.outbox.c.seq)).all()
    assert [row.message_id for row in rows] == [str(e.id) for e in committed]
    assert all(row.sent_at is not None and row.attempts == 1 and row.last_error is None for row in rows)

    messages = broker.drain(messaging_config.queue_name)
    assert _message_ids(messages) == [str(e.id) for e in committed]
    properties, body = messages[0]
    assert properties.delivery_mode == 2
    assert properties.content_type == "application/json"
    assert properties.correlation_id == "cid-0"
    assert properties.headers["correlation_id"] == "cid-0"
    assert json.loads(body)["id"] == str(committed[0].id)
    assert str(rolled_back.id) not in _message_ids(messages)


def test_unroutable_event_stays_unsent_with_its_error_and_does_not_block_others(
    engine, tables, messaging_config, broker, make_event
):
    # Only the main queue for USER_CREATED exists; a second routing key has no queue bound.
    _bind(broker, messaging_config)
    orphan = make_event()
    _write(engine, tables.outbox, [orphan])
    with engine.begin() as connection:
        connection.execute(tables.outbox.update().values(topic="identity.nobody.listens.v1"))
    follower = make_event()
    _write(engine, tables.outbox, [follower])

    relay = OutboxRelay(engine, tables.outbox, EventSender(messaging_config))
    try:
        assert relay.run_once() == 1
        # The refused row waits out its own back-off instead of being retried at every poll.
        assert relay.run_once() == 0
    finally:
        relay.close()
    with engine.connect() as connection:
        row = connection.execute(sa.select(tables.outbox).where(tables.outbox.c.message_id == str(orphan.id))).one()
    assert row.sent_at is None and row.attempts == 1
    assert "MessageUnroutable" in row.last_error
    assert _message_ids(broker.drain(messaging_config.queue_name)) == [str(follower.id)]


def test_unroutable_event_past_its_grace_period_is_marked_sent_so_the_backlog_clears(
    engine, tables, messaging_config, broker, make_event
):
    _bind(broker, messaging_config)
    orphan = make_event()
    _write(engine, tables.outbox, [orphan])
    with engine.begin() as connection:
        connection.execute(tables.outbox.update().values(topic="identity.nobody.listens.v1"))

    relay = OutboxRelay(engine, tables.outbox, EventSender(messaging_config), unroutable_grace_seconds=0)
    try:
        assert relay.run_once() == 0
    finally:
        relay.close()
    with engine.connect() as connection:
        row = connection.execute(sa.select(tables.outbox).where(tables.outbox.c.message_id == str(orphan.id))).one()
    assert row.sent_at is not None
    assert row.last_error.startswith("unroutable")


class _Crash(BaseException):
    """Stands in for the process dying: not an Exception, so nothing in the relay handles it."""


class _CrashAfterPublishing:
    """Publishes for real, then 'dies' on the n-th row before the relay can mark anything."""

    def __init__(self, inner, crash_on: int):
        self.inner, self.crash_on, self.calls = inner, crash_on, 0

    def send(self, row):
        self.inner.send(row)
        self.calls += 1
        if self.calls == self.crash_on:
            raise _Crash()

    def close(self):
        self.inner.close()


def test_relay_crash_between_publish_and_mark_loses_nothing(engine, tables, messaging_config, broker, make_event):
    _bind(broker, messaging_config)
    events = [make_event() for _ in range(5)]
    _write(engine, tables.outbox, events)

    crashing = OutboxRelay(engine, tables.outbox, _CrashAfterPublishing(EventSender(messaging_config), crash_on=2))
    with pytest.raises(_Crash):
        crashing.run_once()
    crashing.close()
    assert _sent_count(engine, tables.outbox) == 0  # the marks died with the "process"

    restarted = OutboxRelay(engine, tables.outbox, EventSender(messaging_config))
    try:
        assert restarted.run_once() == 5
    finally:
        restarted.close()
    assert _sent_count(engine, tables.outbox) == 5

    ids = _message_ids(broker.drain(messaging_config.queue_name))
    # At-least-once: the two rows published before the crash go out again; consumers dedupe.
    assert len(ids) == 7
    assert set(ids) == {str(e.id) for e in events}


def test_broker_unreachable_keeps_rows_then_drains_all_when_back(
    engine, tables, messaging_config, broker, make_event, wait_for, monkeypatch
):
    _bind(broker, messaging_config)
    with TcpProxy.for_url(messaging_config.amqp_url) as proxy:
        sender = EventSender(messaging_config, amqp_url=proxy.url(messaging_config.amqp_url))
        relay = OutboxRelay(engine, tables.outbox, sender, poll_seconds=0.02, reconnect_max_seconds=0.3)
        runner = threading.Thread(target=relay.run, daemon=True)
        runner.start()
        try:
            first = [make_event() for _ in range(5)]
            _write(engine, tables.outbox, first)
            wait_for(lambda: _sent_count(engine, tables.outbox) == 5, what="first rows sent through the proxy")

            proxy.cut()
            later = [make_event() for _ in range(20)]
            for event in later:  # the web tier keeps writing while the broker is away
                _write(engine, tables.outbox, [event])

            def retried_while_down():
                with engine.connect() as connection:
                    return connection.scalar(
                        sa.select(sa.func.max(tables.outbox.c.attempts)).where(tables.outbox.c.sent_at.is_(None))
                    ) or 0

            wait_for(lambda: retried_while_down() >= 3, what="the relay retrying while the broker is unreachable")
            assert _sent_count(engine, tables.outbox) == 5
            assert broker.depth(messaging_config.queue_name) == 5

            proxy.restore()
            wait_for(lambda: _sent_count(engine, tables.outbox) == 25, timeout=15, what="all rows sent after restore")
        finally:
            relay.stop()
            runner.join(timeout=10)
        assert not runner.is_alive()

    ids = _message_ids(broker.drain(messaging_config.queue_name))
    assert len(ids) == 25
    assert set(ids) == {str(e.id) for e in first + later}


def test_two_relays_never_send_the_same_row(engine, tables, messaging_config, broker, make_event, wait_for):
    _bind(broker, messaging_config)
    events = [make_event() for _ in range(200)]
    _write(engine, tables.outbox, events)
    relays = [
        OutboxRelay(engine, tables.outbox, EventSender(messaging_config), batch_size=10, poll_seconds=0.01)
        for _ in range(2)
    ]
    threads = [threading.Thread(target=relay.run, daemon=True) for relay in relays]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: _sent_count(engine, tables.outbox) == 200, timeout=30, what="200 rows sent by two relays")
    finally:
        for relay in relays:
            relay.stop()
        for thread in threads:
            thread.join(timeout=10)

    ids = _message_ids(broker.drain(messaging_config.queue_name))
    assert len(ids) == 200
    assert len(set(ids)) == 200


def test_relay_on_a_sqlite_file(tmp_path, tables, messaging_config, broker, make_event):
    # The default deployment keeps each service on a SQLite file; there the relay commits per row.
    from portal_shared.db import make_engine

    sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'svc.db'}")
    try:
        tables.metadata.create_all(sqlite_engine)
        _bind(broker, messaging_config)
        events = [make_event() for _ in range(4)]
        _write(sqlite_engine, tables.outbox, events)
        relay = OutboxRelay(sqlite_engine, tables.outbox, EventSender(messaging_config), batch_size=3)
        try:
            assert relay.run_once() == 3
            assert relay.run_once() == 1
            assert relay.run_once() == 0
        finally:
            relay.close()
        assert _sent_count(sqlite_engine, tables.outbox) == 4
    finally:
        sqlite_engine.dispose()
    assert _message_ids(broker.drain(messaging_config.queue_name)) == [str(e.id) for e in events]


def test_a_commit_wakes_a_listening_relay_long_before_its_fallback_poll(
    engine, tables, messaging_config, broker, make_event, wait_for
):
    # PostgreSQL delivers the writer's NOTIFY at commit: the relay sends at once instead of at its
    # next poll (30 s here).
    import time

    _bind(broker, messaging_config)
    relay = OutboxRelay(engine, tables.outbox, EventSender(messaging_config), poll_seconds=30,
                        listen=True, listen_poll_seconds=30)
    runner = threading.Thread(target=relay.run, daemon=True)
    runner.start()
    try:
        wait_for(lambda: relay._listener is not None and relay._listener.connect(), what="the relay listening")
        time.sleep(0.3)  # its first (empty) cycle is over: it now waits
        event = make_event()
        started = time.monotonic()
        _write(engine, tables.outbox, [event])
        wait_for(lambda: _sent_count(engine, tables.outbox) == 1, timeout=5, what="the row sent after the commit")
        assert time.monotonic() - started < 5
    finally:
        relay.stop()
        runner.join(timeout=10)
    assert not runner.is_alive()
    assert _message_ids(broker.drain(messaging_config.queue_name)) == [str(event.id)]
