"""The relay and consumer as processes: killed, stopped, and cut off from the broker."""
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

from portal_shared.config import MessagingConfig
from portal_shared.messaging import Consumer, EventSender, OutboxRelay, declare_topology
from portal_shared.outbox import Outbox
from portal_shared.testing import TcpProxy

USER_CREATED_KEY = "identity.user.created.v1"

RELAY_PROCESS = textwrap.dedent(
    """
    import os
    import sqlalchemy as sa
    from portal_shared.db import make_engine
    from portal_shared.messaging import run_relay
    from portal_shared.outbox import define_outbox

    run_relay(service="testsvc", engine=make_engine(os.environ["DATABASE_URL"]),
              outbox_table=define_outbox(sa.MetaData()))
    """
)


def _write_events(engine, table, events):
    with engine.begin() as connection:
        for event in events:
            Outbox(table).add_event(connection, event)


def _sent(engine, table) -> int:
    with engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.sent_at.is_not(None)))


def _start_relay(database_url):
    env = {**os.environ, "DATABASE_URL": database_url, "OUTBOX_BATCH_SIZE": "5"}
    return subprocess.Popen(
        [sys.executable, "-c", RELAY_PROCESS], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def test_relay_process_killed_mid_drain_loses_nothing(
    engine, database_url, tables, messaging_config, broker, make_event, wait_for
):
    declare_topology(broker.channel, messaging_config, [USER_CREATED_KEY])
    events = [make_event() for _ in range(300)]
    _write_events(engine, tables.outbox, events)
    process = _start_relay(database_url)
    try:
        wait_for(lambda: broker.depth(messaging_config.queue_name) > 0, timeout=20, what="the relay process publishing")
    finally:
        process.kill()  # SIGKILL: no chance to finish a row or mark anything
        process.wait()

    restarted = OutboxRelay(engine, tables.outbox, EventSender(messaging_config))
    try:
        while restarted.run_once():
            pass
    finally:
        restarted.close()
    assert _sent(engine, tables.outbox) == 300
    ids = [properties.message_id for properties, _ in broker.drain(messaging_config.queue_name)]
    assert set(ids) == {str(e.id) for e in events}  # every event arrived; some perhaps twice


def test_relay_process_exits_zero_on_sigterm(engine, database_url, tables, messaging_config, broker, make_event, wait_for):
    declare_topology(broker.channel, messaging_config, [USER_CREATED_KEY])
    _write_events(engine, tables.outbox, [make_event() for _ in range(3)])
    process = _start_relay(database_url)
    try:
        wait_for(lambda: _sent(engine, tables.outbox) == 3, timeout=20, what="the relay process draining")
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = process.stdout.read().decode()
    assert returncode == 0, output
    assert broker.depth(messaging_config.queue_name) == 3
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert any(line["message"] == "relay stopped" and line["service"] == "testsvc" for line in lines), output


def test_consumer_reconnects_after_losing_the_broker(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for, monkeypatch
):
    def handle(session, event):
        session.execute(tables.effects.insert().values(event_id=str(event.id)))

    def effects() -> int:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(tables.effects))

    def publish(event):
        broker.publish(
            messaging_config.exchange,
            USER_CREATED_KEY,
            json.dumps(event.to_message()).encode(),
            pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=str(event.id)),
        )

    with TcpProxy.for_url(messaging_config.amqp_url) as proxy:
        monkeypatch.setenv("AMQP_URL", proxy.url(messaging_config.amqp_url))
        config = MessagingConfig("testsvc")
        consumer = Consumer(
            "testsvc", session_factory, tables.inbox, {("identity.user.created", 1): handle}, config,
            reconnect_max_seconds=0.3,
        )
        runner = threading.Thread(target=consumer.run, daemon=True)
        runner.start()
        try:
            assert consumer.wait_until_consuming(10)
            publish(make_event())
            wait_for(lambda: effects() == 1, what="first event applied")

            proxy.cut()
            wait_for(lambda: broker.consumers(messaging_config.queue_name) == 0, what="the broker seeing the consumer gone")
            publish(make_event())
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:  # while cut, the message must stay queued
                assert effects() == 1
                time.sleep(0.05)
            assert broker.depth(messaging_config.queue_name) == 1
            assert runner.is_alive()

            proxy.restore()
            wait_for(lambda: effects() == 2, timeout=15, what="second event applied after reconnecting")
        finally:
            consumer.stop()
            runner.join(timeout=10)
        assert not runner.is_alive()
    assert broker.depth(messaging_config.queue_name) == 0


def test_database_outage_defers_messages_without_spending_their_retries(
    engine, database_url, tables, messaging_config, broker, make_event, wait_for
):
    from portal_shared.db import make_engine, make_session_factory

    def handle(session, event):
        session.execute(tables.effects.insert().values(event_id=str(event.id)))

    with TcpProxy.for_url(database_url, default_port=5432) as db_proxy:
        proxied = make_engine(db_proxy.url(database_url))
        consumer = Consumer(
            "testsvc", make_session_factory(proxied), tables.inbox, {("identity.user.created", 1): handle},
            messaging_config, reconnect_max_seconds=0.2,
        )
        runner = threading.Thread(target=consumer.run, daemon=True)
        runner.start()
        try:
            assert consumer.wait_until_consuming(10)
            db_proxy.cut()
            event = make_event()
            broker.publish(
                messaging_config.exchange, USER_CREATED_KEY, json.dumps(event.to_message()).encode(),
                pika.BasicProperties(content_type="application/json", delivery_mode=2),
            )
            wait_for(lambda: consumer.stats["deferred"] >= 2, what="deliveries deferred while the database is down")
            assert consumer.stats["retried"] == 0 and consumer.stats["dead_lettered"] == 0
            assert broker.depth(messaging_config.dead_letter_queue) == 0

            db_proxy.restore()
            wait_for(lambda: consumer.stats["applied"] == 1, timeout=15, what="event applied once the database is back")
        finally:
            consumer.stop()
            runner.join(timeout=10)
            proxied.dispose()
        assert not runner.is_alive()
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(tables.effects)) == 1
