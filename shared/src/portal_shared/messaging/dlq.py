"""portal-dlq: look into a service's dead-letter queue and send its messages back to be handled.

    portal-dlq list billing-service            count, and per message: event type, id, reason, retries
    portal-dlq show billing-service 2          the second message: its headers and body
    portal-dlq redrive billing-service         every message back to billing-service's queue
    portal-dlq redrive billing --id <event id> only that one (short service names work too)
    portal-dlq redrive billing --limit 10      the first ten

Reads AMQP_URL and QUEUE_PREFIX like the consumer. Listing takes the messages unacked and closes
the connection, which puts them back in place. A redriven message goes to the service's main
queue only (not to the exchange, so other subscribers see nothing again), keeping its original
routing key and headers; the consumer's failure bookkeeping is dropped, so it gets its retries
again. It is acked from the dead-letter queue only once the broker confirmed the new copy: a
failure midway leaves it where it was.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

import pika
import pika.exceptions

from portal_shared.config import MessagingConfig
from portal_shared.contracts import routing_key as event_routing_key
from portal_shared.messaging.connection import close_quietly, connect
from portal_shared.messaging.consumer import ERROR_HEADER, LAST_ERROR_HEADER, RETRY_COUNT_HEADER
from portal_shared.messaging.errors import BrokerUnavailable, PublishError
from portal_shared.messaging.publisher import ConfirmingPublisher

REDRIVE_COUNT_HEADER = "x-redrive-count"
# Bookkeeping of the failure that is being retried by hand: the message starts afresh without it.
_FAILURE_HEADERS = frozenset(
    {RETRY_COUNT_HEADER, LAST_ERROR_HEADER, ERROR_HEADER, "x-death", "x-first-death-exchange",
     "x-first-death-queue", "x-first-death-reason", "x-last-death-exchange", "x-last-death-queue",
     "x-last-death-reason"}
)
_SHORT_NAMES = {"identity", "billing", "payment", "servicedesk"}
_LIST_REASON_WIDTH = 90


class DlqError(Exception):
    """Told to the operator as one line; exit status 1."""


def service_name(name: str) -> str:
    """billing -> billing-service; any other name is taken as it is."""
    return f"{name}-service" if name in _SHORT_NAMES else name


def _text(value) -> str | None:
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class Entry:
    """One dead-lettered message as the operator sees it."""

    position: int
    properties: pika.BasicProperties
    body: bytes

    @property
    def headers(self) -> dict:
        return dict(self.properties.headers or {})

    def envelope(self) -> dict | None:
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    @property
    def event_type(self) -> str:
        envelope = self.envelope() or {}
        if isinstance(envelope.get("type"), str):
            version = envelope.get("version")
            return f"{envelope['type']} v{version}" if version is not None else envelope["type"]
        return _text(self.properties.type) or "?"

    @property
    def event_id(self) -> str:
        envelope = self.envelope() or {}
        return _text(envelope.get("id")) or _text(self.properties.message_id) or "?"

    @property
    def reason(self) -> str:
        headers = self.headers
        death = headers.get("x-death")
        for candidate in (headers.get(ERROR_HEADER), headers.get("x-first-death-reason"),
                          headers.get(LAST_ERROR_HEADER)):
            if candidate:
                return _text(candidate) or ""
        if isinstance(death, list) and death and isinstance(death[0], dict):
            return _text(death[0].get("reason")) or "?"
        return "?"

    @property
    def retries(self) -> int:
        try:
            return int(self.headers.get(RETRY_COUNT_HEADER, 0))
        except (TypeError, ValueError):
            return 0

    @property
    def routing_key(self) -> str | None:
        """The key it was first published with: the envelope's type.vVERSION, else the AMQP type."""
        envelope = self.envelope() or {}
        if isinstance(envelope.get("type"), str) and isinstance(envelope.get("version"), int):
            return event_routing_key(envelope["type"], envelope["version"])
        return _text(self.properties.type)


@contextmanager
def _connection(config: MessagingConfig) -> Iterator[pika.BlockingConnection]:
    try:
        connection = connect(config.amqp_url, name="portal-dlq")
    except BrokerUnavailable as exc:
        raise DlqError(str(exc)) from exc
    try:
        yield connection
    finally:
        close_quietly(connection)


def _depth(connection: pika.BlockingConnection, queue: str) -> int:
    channel = connection.channel()
    try:
        declared = channel.queue_declare(queue=queue, passive=True)
    except pika.exceptions.ChannelClosedByBroker as exc:
        if exc.reply_code == 404:
            raise DlqError(f"queue {queue!r} does not exist (has the service's consumer ever started?)") from exc
        raise
    count = declared.method.message_count
    channel.close()
    return count


def peek(config: MessagingConfig, limit: int | None = None) -> tuple[int, list[Entry]]:
    """(messages in the queue, the first `limit` of them), all left in the queue."""
    queue = config.dead_letter_queue
    with _connection(config) as connection:
        count = _depth(connection, queue)
        channel = connection.channel()
        entries: list[Entry] = []
        wanted = count if limit is None else min(count, limit)
        while len(entries) < wanted:
            method, properties, body = channel.basic_get(queue, auto_ack=False)
            if method is None:
                break
            entries.append(Entry(len(entries) + 1, properties, body))
        # Closing the connection unacked returns every message to its place.
        return count, entries


def redrive_properties(entry: Entry, main_queue: str) -> pika.BasicProperties:
    props = entry.properties
    headers = {k: v for k, v in (props.headers or {}).items() if k not in _FAILURE_HEADERS}
    try:
        headers[REDRIVE_COUNT_HEADER] = int(headers.get(REDRIVE_COUNT_HEADER, 0)) + 1
    except (TypeError, ValueError):
        headers[REDRIVE_COUNT_HEADER] = 1
    # Sender-selected distribution: routed to this queue only, delivered with the original key.
    headers["BCC"] = [main_queue]
    return pika.BasicProperties(
        content_type=props.content_type,
        content_encoding=props.content_encoding,
        headers=headers,
        delivery_mode=2,
        priority=props.priority,
        correlation_id=props.correlation_id,
        message_id=props.message_id,
        timestamp=props.timestamp,
        type=props.type,
        app_id=props.app_id,
    )


def redrive(config: MessagingConfig, *, limit: int | None = None, message_id: str | None = None,
            out: TextIO = sys.stdout) -> int:
    """Move dead letters back to the main queue; returns how many. Messages already in the
    dead-letter queue when it starts are looked at once each, so one that fails again at once
    is not moved round in circles."""
    dlq, main_queue = config.dead_letter_queue, config.queue_name
    moved = 0
    with _connection(config) as connection:
        count = _depth(connection, dlq)
        _depth(connection, main_queue)  # it must exist, or the copies would be unroutable
        channel = connection.channel()
        publisher = ConfirmingPublisher(connection.channel())
        for _ in range(count):
            if limit is not None and moved >= limit:
                break
            method, properties, body = channel.basic_get(dlq, auto_ack=False)
            if method is None:
                break
            entry = Entry(moved + 1, properties, body)
            if message_id is not None and entry.event_id != message_id:
                continue  # left unacked: back in place when the connection closes
            key = entry.routing_key or main_queue
            try:
                publisher.publish(exchange="", routing_key=key, body=body,
                                  properties=redrive_properties(entry, main_queue))
            except PublishError as exc:
                raise DlqError(f"stopped after {moved} message(s): {exc}; the rest stay in {dlq}") from exc
            channel.basic_ack(delivery_tag=method.delivery_tag)
            moved += 1
            print(f"redriven {entry.event_type} {entry.event_id} -> {main_queue} ({key})", file=out)
    print(f"{moved} message(s) moved from {dlq} to {main_queue}", file=out)
    return moved


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def print_list(config: MessagingConfig, limit: int | None, as_json: bool, out: TextIO) -> None:
    count, entries = peek(config, limit)
    if as_json:
        rows = [{"n": e.position, "event_type": e.event_type, "id": e.event_id, "reason": e.reason,
                 "retries": e.retries, "correlation_id": _text(e.properties.correlation_id)} for e in entries]
        json.dump({"queue": config.dead_letter_queue, "count": count, "messages": rows}, out, indent=2)
        out.write("\n")
        return
    print(f"{config.dead_letter_queue}: {count} message(s)", file=out)
    if not entries:
        return
    print(f"{'n':>4}  {'event type':<40} {'id':<36}  {'retries':>7}  first death reason", file=out)
    for e in entries:
        print(f"{e.position:>4}  {e.event_type:<40} {e.event_id:<36}  {e.retries:>7}  "
              f"{_one_line(e.reason, _LIST_REASON_WIDTH)}", file=out)
    if len(entries) < count:
        print(f"… and {count - len(entries)} more (--limit)", file=out)


def print_show(config: MessagingConfig, position: int, out: TextIO) -> None:
    if position < 1:
        raise DlqError("messages are numbered from 1, as `list` shows them")
    count, entries = peek(config, position)
    if len(entries) < position:
        raise DlqError(f"{config.dead_letter_queue} holds {count} message(s); there is no #{position}")
    entry = entries[position - 1]
    props = entry.properties
    print(f"#{position} of {count} in {config.dead_letter_queue}", file=out)
    for label, value in (("event type", entry.event_type), ("id", entry.event_id), ("routing key", entry.routing_key),
                         ("correlation id", _text(props.correlation_id)), ("retries", entry.retries),
                         ("reason", entry.reason)):
        print(f"{label + ':':<16}{value}", file=out)
    print("headers:", file=out)
    for name, value in sorted(entry.headers.items()):
        print(f"  {name}: {_text(value) if isinstance(value, bytes) else value}", file=out)
    print("body:", file=out)
    envelope = entry.envelope()
    print(json.dumps(envelope, indent=2, ensure_ascii=False) if envelope is not None
          else entry.body.decode("utf-8", "replace"), file=out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="portal-dlq", description="Inspect and re-drive a service's dead letters.")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="count, and each message's event type, id, reason and retries")
    listing.add_argument("service", help="e.g. billing-service (or billing)")
    listing.add_argument("--limit", type=int, default=100, help="list at most this many (default 100)")
    listing.add_argument("--json", action="store_true", help="as JSON")
    show = commands.add_parser("show", help="one message's headers and body")
    show.add_argument("service")
    show.add_argument("n", type=int, help="its number in `list`")
    again = commands.add_parser("redrive", help="send messages back to the service's queue")
    again.add_argument("service")
    again.add_argument("--limit", type=int, default=None, help="move at most this many")
    again.add_argument("--id", dest="message_id", default=None, help="only the message(s) of this event id")
    return parser


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = _parser().parse_args(argv)
    config = MessagingConfig(service_name(args.service))
    try:
        if args.command == "list":
            print_list(config, args.limit, args.json, out)
        elif args.command == "show":
            print_show(config, args.n, out)
        else:
            redrive(config, limit=args.limit, message_id=args.message_id, out=out)
    except DlqError as exc:
        print(f"portal-dlq: {exc}", file=sys.stderr)
        return 1
    return 0


def console_main() -> None:
    sys.exit(main())


if __name__ == "__main__":
    console_main()
