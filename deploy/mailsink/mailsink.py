"""A local SMTP sink: accepts every message and lists them over HTTP, so people and tests can read mail.

    python deploy/mailsink/mailsink.py --smtp-port 1025 --http-port 8025

GET /messages (JSON, newest last; ?to= filters by recipient), DELETE /messages, GET / (a page for people).
Development and test use only: it keeps messages in memory and relays nothing.
"""
from __future__ import annotations

import argparse
import email
import email.policy
import html
import json
import signal
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller


class MailStore:
    def __init__(self, limit: int = 5000):
        self._messages: list[dict] = []
        self._lock = threading.Lock()
        self._limit = limit

    def add(self, message: dict) -> None:
        with self._lock:
            self._messages.append(message)
            del self._messages[: max(0, len(self._messages) - self._limit)]

    def list(self, to: str | None = None) -> list[dict]:
        with self._lock:
            messages = list(self._messages)
        if to:
            wanted = to.lower()
            messages = [m for m in messages if wanted in (r.lower() for r in m["to"])]
        return messages

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


def _parts(parsed: email.message.EmailMessage) -> tuple[str, str | None]:
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    return text, (html_part.get_content() if html_part is not None else None)


class SinkHandler:
    def __init__(self, store: MailStore):
        self.store = store

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text, html_body = _parts(parsed)
        self.store.add(
            {
                "id": uuid.uuid4().hex,
                "received_at": datetime.now(timezone.utc).isoformat(),
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                # A subject too long for one line is folded right after "Subject:"; unfolded, the
                # space of the fold is not part of it (RFC 5322 §2.2.3), but the parser keeps it.
                "subject": str(parsed.get("Subject", "")).lstrip(),
                "text": text,
                "html": html_body,
            }
        )
        return "250 Message accepted"


def make_http_handler(store: MailStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's hook name
            url = urlparse(self.path)
            to = parse_qs(url.query).get("to", [None])[0]
            if url.path == "/messages":
                self._send(200, json.dumps(store.list(to)).encode(), "application/json")
            elif url.path == "/healthz":
                self._send(200, b'{"status":"ok"}', "application/json")
            elif url.path == "/":
                rows = "".join(
                    f"<article><h2>{html.escape(m['subject'])}</h2><p><b>To:</b> {html.escape(', '.join(m['to']))}"
                    f" &middot; {html.escape(m['received_at'])}</p><pre>{html.escape(m['text'])}</pre></article>"
                    for m in reversed(store.list(to))
                )
                page = f"<!doctype html><meta charset=utf-8><title>Mail sink</title><h1>Mail sink</h1>{rows or '<p>No mail yet.</p>'}"
                self._send(200, page.encode(), "text/html; charset=utf-8")
            else:
                self._send(404, b'{"title":"Not Found","status":404}', "application/problem+json")

        def do_DELETE(self):  # noqa: N802
            if urlparse(self.path).path == "/messages":
                store.clear()
                self._send(204, b"", "application/json")
            else:
                self._send(404, b"", "application/json")

        def log_message(self, format, *args):  # noqa: A002 - quiet: tests poll this endpoint
            pass

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    args = parser.parse_args()

    store = MailStore()
    controller = Controller(SinkHandler(store), hostname=args.host, port=args.smtp_port)
    controller.start()
    http_server = ThreadingHTTPServer((args.host, args.http_port), make_http_handler(store))
    stop = threading.Event()

    def _shutdown(*_):
        stop.set()
        threading.Thread(target=http_server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _shutdown)
    signal.signal(signal.SIGINT, _shutdown)
    print(json.dumps({"message": "mail sink listening", "smtp_port": args.smtp_port, "http_port": args.http_port}), flush=True)
    try:
        http_server.serve_forever(poll_interval=0.2)
    finally:
        controller.stop()
        http_server.server_close()


if __name__ == "__main__":
    main()
