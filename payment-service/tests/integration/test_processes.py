"""payment-consumer and payment-relay as real processes on RabbitMQ and PostgreSQL.

billing.account.opened goes in through the broker and lands in payment's database; the
relay starts and stops cleanly; then a whole payment settles through the real relay, mailer and
reconciliation processes. The exchange and queues are this test's own.
"""
from __future__ import annotations

import socket

import requests
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from payment_service.adapters.orm import PayableAccount
from portal_shared.db import transaction
from portal_shared.testing.service import poll_until


def test_announcement_through_the_broker_lands_once(broker, processes, announcement, session_factory):
    processes.start("payment-consumer")
    processes.start("payment-relay")
    broker.wait_for_consumer()

    event = announcement()
    broker.publish(event)
    broker.publish(event)  # at-least-once: the same message twice
    # One consumer applies its queue in order: once the marker is in, the duplicate was handled.
    marker = announcement(customer_id=event.data["customer_id"])
    broker.publish(marker)

    def rows():
        with transaction(session_factory) as session:
            return session.scalars(
                sa.select(PayableAccount)
                .where(PayableAccount.customer_id == event.data["customer_id"])
                .order_by(PayableAccount.account_number)
            ).all()

    poll_until(lambda: any(r.account_id == marker.data["account_id"] for r in rows()), what="marker account recorded")
    assert sorted((r.account_id, r.account_number) for r in rows()) == sorted(
        (e.data["account_id"], e.data["account_number"]) for e in (event, marker)
    )


def test_relay_mailer_and_reconcile_as_real_processes(
    broker, processes, monkeypatch, simulators, pay, issue, customer, stored, session_factory
):
    """A payment whose notification is lost: payment-reconcile settles it by asking the (real)
    simulator, payment-relay publishes payment.initiated and payment.confirmed to the broker,
    payment-mailer delivers the receipt to an SMTP server."""
    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own port at start, so it cannot take 0
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        confirmed_queue = broker.listen("payment.confirmed.v1")
        initiated_queue = broker.listen("payment.initiated.v1")
        invoice = issue(customer, amount="640.00")
        response = pay(customer, [(invoice, "640.00")], bank="bbva")
        assert response.status_code == 201
        payment_id = response.json["id"]
        page = requests.post(
            response.json["redirect_url"],
            data={"outcome": "approve_without_notice", "email": "recibos@example.mx", "phone": "5512345678"},
            allow_redirects=False,
            timeout=10,
        )
        assert page.status_code == 303

        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp_port}")
        monkeypatch.setenv("BBVA_URL", simulators["bbva"].url)
        monkeypatch.setenv("CITIBANAMEX_URL", simulators["citibanamex"].url)
        monkeypatch.setenv("RECONCILE_INTERVAL_SECONDS", "0.2")
        monkeypatch.setenv("RECONCILE_AFTER_SECONDS", "0")
        processes.start("payment-reconcile")
        processes.start("payment-relay")
        processes.start("payment-mailer")

        poll_until(lambda: stored(payment_id).status == "confirmed", what="reconciliation to settle the payment")
        for queue, event_type in ((initiated_queue, "payment.initiated"), (confirmed_queue, "payment.confirmed")):
            seen = []
            poll_until(
                lambda: seen.extend(m for m in broker.take(queue) if m["data"]["payment_id"] == payment_id) or seen,
                what=f"{event_type} on the broker",
            )
            assert [m["type"] for m in seen] == [event_type]
        assert seen[0]["data"]["bank_reference"].startswith("BBVA-MP ")
        poll_until(
            lambda: [c for to, c in received if to == ["recibos@example.mx"] and response.json["reference"] in c],
            what="the receipt at the SMTP server",
        )
    finally:
        smtp.stop()
