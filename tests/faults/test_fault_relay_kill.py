"""The relay SIGKILLed 50 times while customers are being registered: every event reaches every
consumer, and is applied once; only the relay is started again (as a supervisor would)."""
from __future__ import annotations

import random
import time
import pytest

from harness import (CustomerProducer, applied_more_than_once, assert_services_up, handled_counts, logged_since,
                     operator_at, registered_event_ids, registration_figures, respawn, sigkill)
from stack import Stack, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

KILLS = 50
RELAY = "identity-relay"


def unsent_events(stack: Stack) -> int:
    return stack.scalar("identity", "SELECT count(*) FROM outbox WHERE channel = 'events' AND sent_at IS NULL")


def test_relay_killed_50_times_mid_flight_loses_and_duplicates_nothing(stack: Stack, operator):
    rng = random.Random()
    identity = operator_at(stack, "identity", operator)
    mid_flight = 0  # kills that left published rows not yet marked sent: they go out again
    offset = stack.procs[RELAY].log_path.stat().st_size
    # No fixed budget of events: the load lasts until the last kill (see the consumer kill test).
    with CustomerProducer(identity, threads=2, limit=None, per_second=5) as producer:
        for _ in range(KILLS):
            # Up and sending: it has published at least one row since it was (re)started.
            sent = wait_until(lambda: logged_since(stack, RELAY, offset, "outbox row sent"), timeout=30, interval=0.02,
                              what=f"{RELAY} sending after its restart")
            time.sleep(rng.uniform(0, 0.3))  # the random moment of the kill, not a wait for anything
            sigkill(stack, RELAY)
            sent = logged_since(stack, RELAY, offset, "outbox row sent")
            ids = [r["message_id"] for r in sent]
            if stack.scalar("identity", "SELECT count(*) FROM outbox WHERE message_id = ANY(:ids) AND sent_at IS NULL",
                            ids=ids):
                mid_flight += 1
            offset = respawn(stack, RELAY)
        producer.stop()
    restarted_at = time.monotonic()
    customers = producer.created

    figures = registration_figures(stack, "relay-sigkill", customers, stall=30, started_at=restarted_at)
    wait_until(lambda: unsent_events(stack) == 0, timeout=30, what="identity's outbox drained")
    events = registered_event_ids(stack, customers)
    duplicates = {c: applied_more_than_once(stack, c, events.values())
                  for c in ("billing-consumer", "servicedesk-consumer")}
    figures.duplicated += sum(len(d) for d in duplicates.values())
    _, ignored = handled_counts(stack, "billing-consumer", "servicedesk-consumer")
    redelivered = sum(ignored[e] for e in events.values())
    figures.extra.update(kills=KILLS, kills_mid_flight=mid_flight, redeliveries_ignored_by_inbox=redelivered,
                         producer_failures=len(producer.failures))
    figures.report()

    assert len(events) == len(customers), "every registration wrote its event"
    assert figures.lost == 0, figures
    assert figures.duplicated == 0, duplicates
    assert not producer.failures, producer.failures[:5]
    assert_services_up(stack)
