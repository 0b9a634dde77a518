"""One event delivered three times at once to three consumers of billing's queue: one effect.
The inbox's primary key makes two of the three transactions find the event already recorded."""
from __future__ import annotations

import json
import signal
import subprocess

import pika
import pytest

from harness import Figures, assert_services_up, consumers_on, handled_counts
from portal_shared.testing.events import customer_registered
from stack import ROOT, Proc, Stack, free_port, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

COPIES = 3


def test_same_event_three_times_concurrently_has_one_effect(stack: Stack):
    queue = f"{stack.queue_prefix}billing-service"
    main = stack.procs["billing-consumer"]
    extra = []
    try:
        # Two more consumers on the same queue: the broker deals the three copies out one each.
        for n in (2, 3):
            log_path = main.log_path.with_name(f"billing-consumer-{n}.log")
            # A metrics port of its own: the first consumer holds its one.
            env = {**main.env, "METRICS_PORT": str(free_port())}
            popen = subprocess.Popen(main.command, env=env, cwd=ROOT, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
            extra.append(Proc(f"billing-consumer-{n}", popen, log_path, main.command, env))
            stack.procs[extra[-1].name] = extra[-1]
        wait_until(lambda: consumers_on(stack, queue) == COPIES, timeout=30, what="three consumers on billing's queue")

        event = customer_registered()
        body = json.dumps(event.to_message()).encode()
        connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            for _ in range(COPIES):
                channel.basic_publish("", queue, body, pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                                                            message_id=str(event.id)), mandatory=True)
        finally:
            connection.close()

        names = ["billing-consumer", *(p.name for p in extra)]

        def deliveries():
            applied, ignored = handled_counts(stack, *names)
            return applied[str(event.id)] + ignored[str(event.id)]

        wait_until(lambda: deliveries() == COPIES, timeout=30, what="all three copies handled")
        applied, ignored = handled_counts(stack, *names)
        customer_id = str(event.data["customer_id"])
        accounts = stack.scalar("billing", "SELECT count(*) FROM billing_accounts WHERE customer_id = CAST(:c AS uuid)", c=customer_id)
        opened = stack.scalar("billing", "SELECT count(*) FROM outbox WHERE topic = 'billing.account.opened.v1' AND payload LIKE :c",
                              c=f"%{customer_id}%")
        inbox = stack.scalar("billing", "SELECT count(*) FROM inbox WHERE event_id = :e", e=str(event.id))
        handled_by = sum(1 for name in names if handled_counts(stack, name)[0][str(event.id)] + handled_counts(stack, name)[1][str(event.id)])
        figures = Figures("same-event-3x-concurrent", sent=COPIES, delivered=COPIES, lost=0 if applied[str(event.id)] else 1,
                          duplicated=max(0, applied[str(event.id)] - 1),
                          extra={"applied": applied[str(event.id)], "ignored_by_inbox": ignored[str(event.id)],
                                 "consumers_that_got_a_copy": handled_by, "accounts": accounts, "inbox_rows": inbox})
        figures.report()
        assert applied[str(event.id)] == 1 and ignored[str(event.id)] == COPIES - 1
        assert (accounts, opened, inbox) == (2, 2, 1)
    finally:
        for proc in extra:
            proc.popen.send_signal(signal.SIGTERM)
        for proc in extra:
            proc.popen.wait(timeout=20)
            del stack.procs[proc.name]
    wait_until(lambda: consumers_on(stack, queue) == 1, what="back to billing's one consumer")
    assert_services_up(stack)
