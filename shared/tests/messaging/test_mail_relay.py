"""The mail relay: an SMTP outage loses no mail; once the server is back each mail goes out once."""
from __future__ import annotations

import email
import socket
from email import policy

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal_shared.messaging import OutboxRelay, SmtpMailSender
from portal_shared.outbox import CHANNEL_MAIL, Outbox


class _Sink:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_mail_waits_out_an_smtp_outage_then_is_delivered_once(engine, tables, monkeypatch):
    port = _free_port()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    with engine.begin() as connection:
        message_id = Outbox(tables.outbox).add_mail(
            connection, to="ana@example.com", subject="Restablecer contraseña", text="Hola Ana", html="<p>Hola Ana</p>"
        )
    relay = OutboxRelay(engine, tables.outbox, SmtpMailSender(timeout=2), channel=CHANNEL_MAIL)

    # Nothing listens on the port: the mail server is down.
    assert relay.run_once() == 0
    assert relay.last_transport_error is not None
    with engine.connect() as connection:
        row = connection.execute(sa.select(tables.outbox)).one()
    assert row.sent_at is None and row.attempts == 1 and "TransportUnavailable" in row.last_error

    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert relay.run_once() == 1
        assert relay.run_once() == 0
    finally:
        controller.stop()

    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["ana@example.com"]
    parsed = email.message_from_bytes(envelope.content, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == "Restablecer contraseña"
    assert parsed["Message-ID"] == f"<{message_id}@portal.local>"
    assert parsed.get_body(("plain",)).get_content().strip() == "Hola Ana"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hola Ana</p>"
    with engine.connect() as connection:
        assert connection.scalar(sa.select(tables.outbox.c.sent_at)) is not None


def test_mail_relay_leaves_event_rows_alone(engine, tables, make_event, monkeypatch):
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{_free_port()}")
    with engine.begin() as connection:
        Outbox(tables.outbox).add_event(connection, make_event())
    relay = OutboxRelay(engine, tables.outbox, SmtpMailSender(timeout=2), channel=CHANNEL_MAIL)
    assert relay.run_once() == 0
    with engine.connect() as connection:
        row = connection.execute(sa.select(tables.outbox)).one()
    assert row.attempts == 0 and row.last_error is None
