"""servicedesk.meter_reading.accepted v2 (every counter of a device's day; v1 still taken) → usage per account,
counter and month, once; shown on the month's statement."""
from __future__ import annotations

import io
import uuid
from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from billing_service.adapters.orm import INBOX, MeterUsage
from billing_service.service_layer.usage import months_usage, usage_key
from portal_shared.contracts import new_event
from portal_shared.db import transaction
from portal_shared.mexico import MEXICO_CITY
from portal_shared.testing.service import poll_until


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def reading_event(*, customer_id, account, day, value=None, previous=None, counter="total", serial="SN-USAGE-1",
                  device_id=None, series=1, reading_id=None, counters=None):
    """A v2 reading: `counters` as (counter, value, previous) triples, or the one counter named by the rest."""
    recorded = datetime.combine(day, time(10), tzinfo=MEXICO_CITY).astimezone(timezone.utc)
    counters = counters or [(counter, value, previous)]
    return new_event(
        "servicedesk.meter_reading.accepted", 2,
        {
            "reading_id": reading_id or uuid.uuid4(), "device_id": device_id or uuid.uuid4(),
            "serial_number": serial, "customer_id": customer_id, "account_number": account,
            "read_on": day, "recorded_at": recorded,
            "counters": [{"counter": name, "value": value, "previous_value": previous, "series": series}
                         for name, value, previous in counters],
        },
        producer="servicedesk-service",
    )


def reading_event_v1(*, customer_id, account, day, value, previous, counter="total", serial="SN-USAGE-1",
                     device_id=None, series=1, reading_id=None):
    """A one-counter reading as servicedesk published them before v2; some may still be queued."""
    recorded = datetime.combine(day, time(10), tzinfo=MEXICO_CITY).astimezone(timezone.utc)
    return new_event(
        "servicedesk.meter_reading.accepted", 1,
        {
            "reading_id": reading_id or uuid.uuid4(), "device_id": device_id or uuid.uuid4(),
            "serial_number": serial, "customer_id": customer_id, "account_number": account,
            "counter": counter, "value": value, "previous_value": previous, "series": series,
            "read_on": day, "recorded_at": recorded,
        },
        producer="servicedesk-service",
    )


def usage_rows(session_factory, account: str) -> list[tuple]:
    with transaction(session_factory) as session:
        return session.execute(
            sa.select(MeterUsage.period, MeterUsage.counter, MeterUsage.usage)
            .where(MeterUsage.account_number == account).order_by(MeterUsage.read_on)
        ).all()


def test_usage_is_value_minus_previous_and_first_reading_adds_nothing(deliver, session_factory, customer, last_month):
    account = customer["account_numbers"][0]
    device = uuid.uuid4()
    day = last_month.first_day
    for offset, value, previous in ((0, 1000, None), (1, 1250, 1000), (2, 1300, 1250)):
        deliver(reading_event(customer_id=customer["customer_id"], account=account, device_id=device,
                              day=day + timedelta(days=offset), value=value, previous=previous))

    assert [row.usage for row in usage_rows(session_factory, account)] == [0, 250, 50]
    assert {row.period for row in usage_rows(session_factory, account)} == {str(last_month)}


def test_duplicate_delivery_and_reannouncement_count_once(deliver, session_factory, customer, last_month):
    account = customer["account_numbers"][0]
    event = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                          value=500, previous=100)

    assert deliver(event) is True
    assert deliver(event) is False
    again = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                          value=500, previous=100, reading_id=event.data["reading_id"])
    assert deliver(again) is True

    assert [row.usage for row in usage_rows(session_factory, account)] == [400]


def test_every_counter_of_a_reading_is_booked_once_by_its_own_key(deliver, session_factory, customer, last_month):
    account = customer["account_numbers"][0]
    event = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                          counters=[("total", 1500, 1000), ("black", 900, 700), ("colour", 600, 300)])

    assert deliver(event) is True
    assert deliver(event) is False  # redelivered: the inbox drops it
    # Re-announced under a new event id: the keys drop it.
    again = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                          reading_id=event.data["reading_id"],
                          counters=[("total", 1500, 1000), ("black", 900, 700), ("colour", 600, 300)])
    assert deliver(again) is True

    assert sorted((row.counter, row.usage) for row in usage_rows(session_factory, account)) == [
        ("black", 200), ("colour", 300), ("total", 500)]
    with transaction(session_factory) as session:
        keys = set(session.scalars(sa.select(MeterUsage.reading_id).where(MeterUsage.account_number == account)))
    assert keys == {usage_key(event.data["reading_id"], name) for name in ("total", "black", "colour")}


def test_a_v1_reading_still_queued_is_booked_once(deliver, session_factory, customer, last_month):
    account = customer["account_numbers"][0]
    event = reading_event_v1(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                             value=500, previous=100, counter="black")

    assert deliver(event) is True
    again = reading_event_v1(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                             value=500, previous=100, counter="black", reading_id=event.data["reading_id"])
    assert deliver(again) is True

    assert [(row.counter, row.usage) for row in usage_rows(session_factory, account)] == [("black", 400)]


def test_a_reading_of_another_customers_account_books_none_of_its_counters(deliver, session_factory, customer,
                                                                           last_month, new_customer):
    other = new_customer()
    account = customer["account_numbers"][0]
    deliver(reading_event(customer_id=other["customer_id"], account=account, day=last_month.first_day,
                          counters=[("total", 900, 100), ("black", 500, 50)]))
    assert usage_rows(session_factory, account) == []


def test_lower_than_previous_is_refused_so_it_is_retried_then_dead_lettered(deliver, session_factory, customer, last_month):
    account = customer["account_numbers"][0]
    with pytest.raises(ValueError):
        deliver(reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                              value=5, previous=10))
    assert usage_rows(session_factory, account) == []


def test_month_statement_shows_usage(client, operator, bearer, deliver, customer, row, import_invoices, last_month):
    account = customer["account_numbers"][0]
    import_invoices([row(account, amount="100.00", issue_date=last_month.first_day.isoformat(),
                         due_date=(last_month.first_day + timedelta(days=30)).isoformat())], customer["customer_id"])
    device = uuid.uuid4()
    day = last_month.first_day
    first = reading_event(customer_id=customer["customer_id"], account=account, device_id=device, serial="SN-STMT-7",
                          day=day, value=20000, previous=None)
    second = reading_event(customer_id=customer["customer_id"], account=account, device_id=device, serial="SN-STMT-7",
                           day=day + timedelta(days=9), value=23456, previous=20000)
    colour = reading_event(customer_id=customer["customer_id"], account=account, device_id=device, serial="SN-STMT-7",
                           counter="colour", day=day + timedelta(days=10), value=700, previous=650)
    # Next month's reading belongs to the next statement.
    later = reading_event(customer_id=customer["customer_id"], account=account, device_id=device, serial="SN-STMT-7",
                          day=last_month.end, value=30000, previous=23456)
    for event in (first, second, second, colour, later):
        deliver(event)

    generated = client.post("/api/v1/statements", json={"period": str(last_month)}, headers=operator)
    assert generated.status_code == 200, generated.json
    headers = bearer("billing", customer_id=customer["customer_id"])
    items = client.get(f"/api/v1/statements?account={account}", headers=headers).json["items"]
    (statement,) = [s for s in items if s["period"] == str(last_month)]

    assert statement["meter_usage"] == [
        {"serial_number": "SN-STMT-7", "counter": "colour", "usage": 50},
        {"serial_number": "SN-STMT-7", "counter": "total", "usage": 3456},
    ]
    text = pdf_text(client.get(statement["pdf_url"], headers=headers).data)
    assert "Lecturas / Meter usage" in text
    assert "SN-STMT-7" in text and "3,456" in text and "Color / Colour" in text
    assert "6,544" not in text  # the next month's usage is not on this statement


def test_reading_through_the_broker_is_recorded_once(broker, processes, session_factory, customer, last_month):
    processes.start("billing-consumer")
    broker.wait_for_consumer()
    account = customer["account_numbers"][1]
    event = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day,
                          value=900, previous=600)

    marker = reading_event(customer_id=customer["customer_id"], account=account, day=last_month.first_day + timedelta(days=1),
                           value=950, previous=900)

    broker.publish(event)
    broker.publish(event)  # at-least-once: the same message again
    # One consumer takes its queue in order: once the marker is recorded, the duplicate was handled.
    broker.publish(marker)

    poll_until(lambda: len(usage_rows(session_factory, account)) == 2, what="the readings' usage recorded")
    with transaction(session_factory) as session:
        inbox = session.scalar(sa.select(sa.func.count()).select_from(INBOX).where(INBOX.c.event_id == str(event.id)))
    assert inbox == 1
    assert [row.usage for row in usage_rows(session_factory, account)] == [300, 50]


def test_a_reading_under_another_customers_account_is_never_booked(deliver, session_factory, customer, last_month,
                                                                  new_customer):
    # A device of customer T filed under customer A's account: T's usage must not reach A's statement.
    other = new_customer()
    account = customer["account_numbers"][0]
    deliver(reading_event(customer_id=other["customer_id"], account=account, day=last_month.first_day,
                          value=900, previous=100, serial="SN-OF-T"))
    assert usage_rows(session_factory, account) == []
    # An account billing does not know is retried (then dead-lettered), never booked.
    with pytest.raises(Exception, match="not known"):
        deliver(reading_event(customer_id=customer["customer_id"], account="UNKNOWN-1", day=last_month.first_day,
                              value=2, previous=1))
    assert usage_rows(session_factory, "UNKNOWN-1") == []


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(1, 500)), min_size=1, max_size=12))
def test_no_statement_mixes_customers(deliver, session_factory, new_customer, last_month, readings):
    """Property: whatever devices are filed under whatever accounts, each account's month usage
    holds only the readings of devices whose customer owns the account."""
    customers = [new_customer() for _ in range(3)]
    expected: dict[str, set[str]] = {c["account_numbers"][0]: set() for c in customers}
    for device_owner, account_owner, value in readings:
        account = customers[account_owner]["account_numbers"][0]
        serial = f"SN-{device_owner}-{uuid.uuid4().hex[:6]}"
        deliver(reading_event(customer_id=customers[device_owner]["customer_id"], account=account,
                              day=last_month.first_day, value=value + 1, previous=value, serial=serial))
        if device_owner == account_owner:
            expected[account].add(serial)
    with transaction(session_factory) as session:
        usage = months_usage(session, list(expected), str(last_month))
    for account, serials in expected.items():
        assert {line["serial_number"] for line in usage.get(account, [])} == serials
