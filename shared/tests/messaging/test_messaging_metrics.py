"""Counters of the consumer and the relay, on the real broker and database, and the METRICS_PORT
listener those processes serve them on."""
from __future__ import annotations

import json
import logging
import socket
import threading

import pika
import requests
from prometheus_client import CollectorRegistry

from portal_shared.correlation import MESSAGE_HEADER
from portal_shared.messaging import Consumer, EventSender, OutboxRelay, declare_topology
from portal_shared.metrics import ConsumerMetrics, RelayMetrics, serve_process_metrics
from portal_shared.outbox import Outbox

USER_CREATED = ("identity.user.created", 1)
USER_CREATED_KEY = "identity.user.created.v1"


def _publish(broker, config, event, correlation_id=None):
    broker.publish(config.exchange, USER_CREATED_KEY, json.dumps(event.to_message()).encode(),
                   pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=str(event.id),
                                        correlation_id=correlation_id))


def _run(consumer: Consumer):
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    assert consumer.wait_until_consuming(10), "consumer did not attach to its queue"
    return thread


def test_consumer_counts_consumed_retried_and_dead_lettered_per_event_type(
    session_factory, tables, messaging_config, broker, make_event, wait_for, caplog
):
    registry = CollectorRegistry()
    failing = make_event(username="fails")

    def handle(session, event):
        if event.data["username"] == "fails":
            raise RuntimeError("cannot apply")
        session.execute(tables.effects.insert().values(event_id=str(event.id)))

    # Every pass of its loop looks at the dead-letter queue, so the depth follows at once.
    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: handle}, messaging_config,
                        metrics=ConsumerMetrics(registry), dead_letter_look_seconds=0)
    ok = make_event()
    caplog.set_level(logging.INFO, logger="portal.consumer")
    thread = _run(consumer)
    try:
        _publish(broker, messaging_config, ok, correlation_id="cid-handled")
        _publish(broker, messaging_config, ok, correlation_id="cid-handled")
        _publish(broker, messaging_config, failing)
        broker.publish(messaging_config.exchange, USER_CREATED_KEY, b"{not json",
                       pika.BasicProperties(delivery_mode=2))
        wait_for(lambda: consumer.stats["dead_lettered"] == 2 and consumer.stats["duplicate"] == 1,
                 what="all four messages handled")
        # The consumer's own connection tells the depth: both dead letters wait there.
        depth = {"service": "testsvc", "queue": messaging_config.dead_letter_queue}
        wait_for(lambda: registry.get_sample_value("dead_letter_queue_messages", depth) == 2,
                 what="the dead-letter depth read by the consumer")
        assert registry.get_sample_value("broker_up", {"service": "testsvc"}) == 1
    finally:
        consumer.stop()
        thread.join(timeout=10)

    def count(name, event_type="identity.user.created"):
        return registry.get_sample_value(name, {"consumer": "testsvc", "event_type": event_type})

    assert count("messages_consumed_total") == 2  # applied once, then the duplicate
    assert count("messages_duplicate_total") == 1
    assert count("messages_retried_total") == 2  # RETRY_DELAYS_MS=50,100
    assert count("messages_dead_lettered_total") == 1
    assert count("messages_dead_lettered_total", "invalid") == 1
    # The handled event leaves a line under its message's correlation id.
    handled = [r for r in caplog.records if r.getMessage() == "event handled"]
    assert [r.event_id for r in handled] == [str(ok.id)]


def test_relay_counts_published_and_failed_and_logs_each_row_under_its_correlation_id(
    engine, tables, messaging_config, broker, make_event
):
    from portal_shared.correlation import get_correlation_id

    declare_topology(broker.channel, messaging_config, [USER_CREATED_KEY])
    registry = CollectorRegistry()
    metrics = RelayMetrics(registry)
    seen: list[tuple[str, str | None]] = []

    class Recording(logging.Handler):
        def emit(self, record):
            if record.getMessage() == "outbox row sent":
                seen.append((record.message_id, get_correlation_id()))

    handler = Recording()
    relay_log = logging.getLogger("portal.relay")
    relay_log.addHandler(handler)
    level = relay_log.level
    relay_log.setLevel(logging.INFO)
    events = [make_event(correlation_id="cid-relay-1"), make_event(correlation_id="cid-relay-2")]
    with engine.begin() as connection:
        Outbox(tables.outbox).add_events(connection, events)
    relay = OutboxRelay(engine, tables.outbox, EventSender(messaging_config), service="testsvc", metrics=metrics)
    try:
        assert relay.run_once() == 2
    finally:
        relay.close()
        relay_log.removeHandler(handler)
        relay_log.setLevel(level)
    assert registry.get_sample_value("relay_published_total", {"service": "testsvc", "channel": "events"}) == 2
    assert seen == [(str(events[0].id), "cid-relay-1"), (str(events[1].id), "cid-relay-2")]
    published = broker.drain(messaging_config.queue_name)
    assert [p.correlation_id for p, _ in published] == ["cid-relay-1", "cid-relay-2"]
    assert [p.headers[MESSAGE_HEADER] for p, _ in published] == ["cid-relay-1", "cid-relay-2"]

    # The broker unreachable: the row stays, the attempt is counted as a transport failure.
    with engine.begin() as connection:
        Outbox(tables.outbox).add_event(connection, make_event())
    unreachable = EventSender(messaging_config, amqp_url="amqp://guest:guest@127.0.0.1:1/%2F")
    relay = OutboxRelay(engine, tables.outbox, unreachable, service="testsvc", metrics=metrics)
    try:
        assert relay.run_once() == 0
    finally:
        relay.close()
    assert registry.get_sample_value(
        "relay_failed_total", {"service": "testsvc", "channel": "events", "reason": "transport"}) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_relay_and_consumer_processes_serve_their_counters_on_metrics_port(monkeypatch):
    monkeypatch.delenv("METRICS_PORT", raising=False)
    assert serve_process_metrics("testsvc-consumer") is None  # off unless asked for

    port = _free_port()
    monkeypatch.setenv("METRICS_PORT", str(port))
    server = serve_process_metrics("testsvc-consumer")
    try:
        assert server.server_address[0] == "127.0.0.1"
        # The process registry holds the default consumer and relay counters once they exist.
        from portal_shared.metrics.messaging import default_consumer_metrics

        default_consumer_metrics().consumed.labels("testsvc", "identity.user.created").inc()
        answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        assert answer.status_code == 200
        assert 'messages_consumed_total{consumer="testsvc",event_type="identity.user.created"}' in answer.text
    finally:
        server.shutdown()
        server.server_close()
