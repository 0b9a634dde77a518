"""payment-consumer and payment-relay as real processes on RabbitMQ and PostgreSQL.

billing.account.opened goes in through the broker and lands in payment's database; the
relay (nothing to send yet) starts and stops cleanly. The exchange and queues are this test's own.
"""
from __future__ import annotations

import sqlalchemy as sa

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
