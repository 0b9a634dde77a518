"""billing's consumer SIGKILLed 50 times while customers are being registered: every event is
applied once (unacked deliveries come back; the inbox drops what was already committed); only
the consumer is started again (as a supervisor would)."""
from __future__ import annotations

import random
import time
import pytest

from harness import (CustomerProducer, applied_more_than_once, assert_services_up, consumers_on, handled_counts,
                     logged_since, operator_at, registered_event_ids, registration_figures, respawn, sigkill)
from stack import Stack, wait_until

pytestmark = pytest.mark.needs_processes("kills and restarts the suite's own servers and processes")

KILLS = 50
CONSUMER = "billing-consumer"


def test_consumer_killed_50_times_mid_flight_loses_and_duplicates_nothing(stack: Stack, operator):
    rng = random.Random()
    identity = operator_at(stack, "identity", operator)
    queue = f"{stack.queue_prefix}billing-service"
    dead_letters_before = stack.queue_depth(f"{queue}.dlq")
    offset = stack.procs[CONSUMER].log_path.stat().st_size
    # No fixed budget of events: the load lasts until the last kill, however long the kills take
    # on a loaded machine, so every wait for "applying again" has events to apply.
    with CustomerProducer(identity, threads=2, limit=None, per_second=5) as producer:
        for _ in range(KILLS):
            # Attached and applying: it has committed at least one event since it was (re)started.
            wait_until(lambda: logged_since(stack, CONSUMER, offset, "event handled"), timeout=30, interval=0.02,
                       what=f"{CONSUMER} applying events after its restart")
            time.sleep(rng.uniform(0, 0.3))  # the random moment of the kill, not a wait for anything
            sigkill(stack, CONSUMER)
            offset = respawn(stack, CONSUMER)
        producer.stop()
    restarted_at = time.monotonic()
    customers = producer.created

    figures = registration_figures(stack, "consumer-sigkill", customers, stall=30, started_at=restarted_at)
    events = registered_event_ids(stack, customers)
    duplicates = applied_more_than_once(stack, CONSUMER, events.values())
    figures.duplicated += len(duplicates)
    _, ignored = handled_counts(stack, CONSUMER)
    inbox = stack.scalar("billing", "SELECT count(*) FROM inbox WHERE event_id = ANY(:ids)", ids=list(events.values()))
    figures.extra.update(kills=KILLS, redeliveries_ignored_by_inbox=sum(ignored[e] for e in events.values()),
                         inbox_rows=inbox, producer_failures=len(producer.failures))
    figures.report()

    assert len(events) == len(customers), "every registration wrote its event"
    assert figures.lost == 0, figures
    assert figures.duplicated == 0, duplicates
    assert inbox == len(events)
    assert not producer.failures, producer.failures[:5]
    wait_until(lambda: consumers_on(stack, queue) == 1, what="the restarted consumer attached")
    assert stack.queue_depth(f"{queue}.dlq") == dead_letters_before, "no event was dead-lettered by the kills"
    assert_services_up(stack)
