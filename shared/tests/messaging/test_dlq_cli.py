"""portal-dlq against the real broker: list, show and redrive a service's dead letters."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import threading

import pika
import pytest

from portal_shared.messaging import Consumer, declare_topology
from portal_shared.messaging.dlq import main, service_name

USER_CREATED = ("identity.user.created", 1)
USER_CREATED_KEY = "identity.user.created.v1"


def dlq(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def _dead_letter_by_a_failing_consumer(session_factory, tables, config, broker, events, wait_for):
    """Publish the events and let a consumer whose handler always fails dead-letter them."""

    def fails(session, event):
        raise RuntimeError("ledger is closed")

    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: fails}, config)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.wait_until_consuming(10)
        for event in events:
            broker.publish(config.exchange, USER_CREATED_KEY, json.dumps(event.to_message()).encode(),
                           pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                                message_id=str(event.id), correlation_id=event.correlation_id,
                                                headers={"correlation_id": event.correlation_id}, type=USER_CREATED_KEY))
        wait_for(lambda: consumer.stats["dead_lettered"] == len(events), what="events dead-lettered")
    finally:
        consumer.stop()
        thread.join(timeout=10)


def test_short_service_names():
    assert service_name("billing") == "billing-service"
    assert service_name("billing-service") == "billing-service"


def test_list_and_show_leave_the_messages_in_place(
    session_factory, tables, messaging_config, broker, make_event, wait_for
):
    events = [make_event(correlation_id=f"cid-{n}") for n in range(2)]
    _dead_letter_by_a_failing_consumer(session_factory, tables, messaging_config, broker, events, wait_for)

    status, text = dlq("list", "testsvc")
    assert status == 0
    assert f"{messaging_config.dead_letter_queue}: 2 message(s)" in text
    for event in events:
        assert str(event.id) in text
    assert text.count("identity.user.created v1") == 2
    assert "handler failed after 2 retries: RuntimeError: ledger is closed" in text

    status, text = dlq("list", "testsvc", "--json")
    listed = json.loads(text)
    assert listed["count"] == 2
    assert [m["id"] for m in listed["messages"]] == [str(e.id) for e in events]
    assert [m["retries"] for m in listed["messages"]] == [2, 2]
    assert [m["correlation_id"] for m in listed["messages"]] == ["cid-0", "cid-1"]

    status, text = dlq("show", "testsvc", "2")
    assert status == 0
    assert f"#2 of 2 in {messaging_config.dead_letter_queue}" in text
    assert "routing key:    identity.user.created.v1" in text
    assert f'"id": "{events[1].id}"' in text and "x-retry-count: 2" in text

    assert dlq("show", "testsvc", "3")[0] == 1
    assert broker.depth(messaging_config.dead_letter_queue) == 2  # looking took nothing away


def test_redrive_sends_one_message_back_with_its_routing_key_and_fresh_retries(
    session_factory, tables, messaging_config, broker, make_event, wait_for
):
    events = [make_event(correlation_id=f"cid-{n}") for n in range(3)]
    _dead_letter_by_a_failing_consumer(session_factory, tables, messaging_config, broker, events, wait_for)
    # Another service subscribed to the same events must not see them again.
    other = f"{messaging_config.queue_prefix}other"
    broker.channel.queue_declare(queue=other, exclusive=True)
    broker.channel.queue_bind(queue=other, exchange=messaging_config.exchange, routing_key=USER_CREATED_KEY)
    broker.drain(other)

    status, text = dlq("redrive", "testsvc", "--id", str(events[1].id))
    assert status == 0, text
    assert "1 message(s) moved" in text
    assert broker.depth(messaging_config.dead_letter_queue) == 2
    method, properties, body = broker.channel.basic_get(messaging_config.queue_name, auto_ack=True)
    assert method is not None and json.loads(body)["id"] == str(events[1].id)
    assert method.routing_key == USER_CREATED_KEY
    assert properties.message_id == str(events[1].id) and properties.correlation_id == "cid-1"
    assert properties.headers["correlation_id"] == "cid-1"
    assert properties.headers["x-redrive-count"] == 1
    assert "x-retry-count" not in properties.headers and "x-error" not in properties.headers
    assert "BCC" not in properties.headers
    assert broker.depth(other) == 0

    status, text = dlq("redrive", "testsvc", "--limit", "1")
    assert status == 0 and "1 message(s) moved" in text
    assert broker.depth(messaging_config.dead_letter_queue) == 1
    assert broker.depth(messaging_config.queue_name) == 1


def test_redriven_messages_are_handled_once_the_handler_is_fixed(
    engine, session_factory, tables, messaging_config, broker, make_event, wait_for
):
    events = [make_event() for _ in range(2)]
    _dead_letter_by_a_failing_consumer(session_factory, tables, messaging_config, broker, events, wait_for)

    def fixed(session, event):
        session.execute(tables.effects.insert().values(event_id=str(event.id)))

    consumer = Consumer("testsvc", session_factory, tables.inbox, {USER_CREATED: fixed}, messaging_config)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    try:
        assert consumer.wait_until_consuming(10)
        assert dlq("redrive", "testsvc")[0] == 0
        wait_for(lambda: consumer.stats["applied"] == 2, what="redriven events applied")
    finally:
        consumer.stop()
        thread.join(timeout=10)
    assert broker.depth(messaging_config.dead_letter_queue) == 0


def test_a_failed_publish_leaves_the_message_in_the_dead_letter_queue(
    session_factory, tables, messaging_config, broker, make_event, wait_for, monkeypatch
):
    events = [make_event()]
    _dead_letter_by_a_failing_consumer(session_factory, tables, messaging_config, broker, events, wait_for)

    from portal_shared.messaging import dlq as dlq_module
    from portal_shared.messaging.errors import MessageNacked

    def refused(self, **kwargs):
        raise MessageNacked("the broker refused the message (nack)")

    monkeypatch.setattr(dlq_module.ConfirmingPublisher, "publish", refused)
    status, _text = dlq("redrive", "testsvc")
    assert status == 1
    assert broker.depth(messaging_config.dead_letter_queue) == 1
    assert broker.depth(messaging_config.queue_name) == 0


def test_unknown_queue_and_unreachable_broker_are_one_line_errors(messaging_config, monkeypatch, capsys):
    assert dlq("list", "no-such-service")[0] == 1
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("AMQP_URL", "amqp://guest:guest@127.0.0.1:1/%2F")
    assert dlq("list", "testsvc")[0] == 1
    assert "cannot connect to the broker" in capsys.readouterr().err


def test_console_script_is_installed(messaging_config, broker):
    broker.channel.queue_declare(queue=messaging_config.dead_letter_queue, durable=True)
    done = subprocess.run([sys.executable, "-m", "portal_shared.messaging.dlq", "list", "testsvc"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert f"{messaging_config.dead_letter_queue}: 0 message(s)" in done.stdout
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="portal-dlq")
    assert script.value == "portal_shared.messaging.dlq:console_main"


@pytest.fixture(autouse=True)
def _bound(messaging_config, broker):
    declare_topology(broker.channel, messaging_config, [USER_CREATED_KEY])
