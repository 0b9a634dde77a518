"""The payment state machine, money rounding, periods, statement ids and credit status (pure functions)."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing_service.domain.calendar import Period

from billing_service.domain.credit import credit_status
from portal_shared.mexico import mexico_today, mxn_for, to_cents
from billing_service.domain.payments import (
    APPLIED, CONFIRMED, FAILED, IN_TRANSIT, INITIATED, RELEASED, Balance, Ledger, next_step,
)
from billing_service.domain.statements import closing_balance, statement_id, totals

D = Decimal


def test_half_up_to_the_cent():
    assert to_cents(D("0.005")) == D("0.01")
    assert to_cents(D("2.675")) == D("2.68")
    assert mxn_for(D("100.05"), "USD", D("17.2345")) == D("1724.31")
    assert mxn_for(D("0.03"), "USD", D("17.5")) == D("0.53")  # 0.525 rounds up
    assert mxn_for(D("10"), "USD", None) is None
    assert mxn_for(D("10.10"), "MXN", None) == D("10.10")


def test_periods_and_statement_ids():
    period = Period.parse("2026-10")
    assert (period.first_day, period.end, str(period.next)) == (date(2026, 10, 1), date(2026, 11, 1), "2026-11")
    assert str(Period.parse("2026-12").next) == "2027-01"
    # Mexico City is UTC-6: October starts at 06:00 UTC.
    assert period.starts_at == datetime(2026, 10, 1, 6, tzinfo=timezone.utc)
    assert statement_id(Period.parse("2017-10"), 1) == "171001"
    assert statement_id(period, 123) == "2610123"
    for bad in ("2026-13", "2026-1", "26-10", "", "2026-00"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_today_is_mexico_citys():
    # 03:00 UTC on 2 November is still 1 November in Mexico City.
    assert mexico_today(datetime(2026, 11, 2, 3, tzinfo=timezone.utc)) == date(2026, 11, 1)


def test_credit_status():
    today = date(2026, 11, 22)
    assert credit_status(None, today, 60) == ("current", 0)
    assert credit_status(today, today, 60) == ("current", 0)
    assert credit_status(date(2026, 11, 21), today, 60) == ("overdue", 1)
    assert credit_status(date(2026, 9, 23), today, 60) == ("overdue", 60)
    assert credit_status(date(2026, 9, 22), today, 60) == ("blocked", 61)


BAL = Balance(D("100.00"), D("100.00"), D("0.00"))


@pytest.mark.parametrize(
    ("kind", "state", "held", "expected"),
    [
        (INITIATED, None, D("0"), (IN_TRANSIT, D("100.00"), D("40.00"))),
        (INITIATED, IN_TRANSIT, D("40"), None),
        (INITIATED, APPLIED, D("0"), None),
        (INITIATED, RELEASED, D("0"), None),
        (CONFIRMED, None, D("0"), (APPLIED, D("60.00"), D("0.00"))),
        (CONFIRMED, APPLIED, D("0"), None),
        (CONFIRMED, RELEASED, D("0"), (APPLIED, D("60.00"), D("0.00"))),  # failed, then paid at the bank after all
        (FAILED, None, D("0"), (RELEASED, D("100.00"), D("0.00"))),
        (FAILED, APPLIED, D("0"), None),
        (FAILED, RELEASED, D("0"), None),
    ],
)
def test_transitions(kind, state, held, expected):
    step = next_step(kind, state, held, BAL, D("40.00"))
    if expected is None:
        assert step is None
    else:
        assert (step.state, step.balance.pending, step.balance.in_transit) == expected


def test_from_in_transit_the_held_amount_leaves_transit():
    held = Balance(D("100.00"), D("100.00"), D("40.00"))
    assert next_step(CONFIRMED, IN_TRANSIT, D("40.00"), held, D("40.00")).balance == Balance(D("100.00"), D("60.00"), D("0.00"))
    assert next_step(FAILED, IN_TRANSIT, D("40.00"), held, D("40.00")).balance == Balance(D("100.00"), D("100.00"), D("0.00"))


# --- properties --------------------------------------------------------------------------------

LATE = "failed, then confirmed"
cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=150_000, max_value=250_000).map(lambda r: D(r) / 10_000)


@st.composite
def scenarios(draw):
    """Invoices, payments of parts of them (never more than the amount), and each payment's events
    in any order, some delivered twice; a payment confirms, fails, or fails and is confirmed later
    (its bank reported it paid after the portal had given up on it)."""
    invoices = draw(st.lists(st.tuples(st.sampled_from(["MXN", "USD"]), cents), min_size=1, max_size=6))
    parts = []
    for index, (_currency, amount) in enumerate(invoices):
        left = amount
        for _ in range(draw(st.integers(0, 3))):
            if left <= 0:
                break
            part = draw(st.integers(1, int(left * 100)).map(lambda c: D(c) / 100))
            parts.append((index, part))
            left -= part
    payment_count = max(1, min(len(parts), draw(st.integers(1, 4))))
    payments: dict[int, list] = {p: [] for p in range(payment_count)}
    for index, part in parts:
        payments[draw(st.integers(0, payment_count - 1))].append((index, part))
    events = []
    outcomes = {}
    for payment, items in payments.items():
        if not items:
            continue
        # One item per invoice in a payment (payment-service refuses duplicates).
        items = list({index: (index, part) for index, part in items}.values())
        payments[payment] = items
        outcome = draw(st.sampled_from([CONFIRMED, FAILED, LATE]))
        outcomes[payment] = FAILED if outcome == FAILED else CONFIRMED
        kinds = ([INITIATED] if draw(st.booleans()) else []) + ([FAILED, CONFIRMED] if outcome == LATE else [outcome])
        kinds += draw(st.lists(st.sampled_from(kinds), max_size=2))  # duplicates
        events += [(kind, payment) for kind in kinds]
    order = draw(st.permutations(events))
    rate = draw(rates)
    return invoices, payments, outcomes, order, rate


@settings(max_examples=100)
@given(scenarios())
def test_what_billing_applies_equals_what_was_paid(scenario):
    invoices, payments, outcomes, order, rate = scenario
    ledger = Ledger()
    for index, (_currency, amount) in enumerate(invoices):
        ledger.issue(index, amount)
    for kind, payment in order:
        for index, part in payments[payment]:
            ledger.handle(kind, payment, index, part)
            balance = ledger.balances[index]
            assert balance.pending >= 0 and balance.in_transit >= 0

    for index, (currency, amount) in enumerate(invoices):
        paid = sum((part for p, items in payments.items() if outcomes.get(p) == CONFIRMED
                    for i, part in items if i == index), D("0"))
        balance = ledger.balances[index]
        assert balance.pending == amount - paid
        assert balance.in_transit == 0  # every payment ended: nothing stuck in transit
        assert balance.status == ("paid" if paid == amount else "open")
    applied_mxn = sum(mxn_for(ledger.applied[(p, i)], invoices[i][0], rate) for (p, i) in ledger.applied)
    paid_mxn = sum(mxn_for(part, invoices[i][0], rate) for p, items in payments.items()
                   if outcomes.get(p) == CONFIRMED for i, part in items)
    assert applied_mxn == paid_mxn


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["MXN", "USD"]), cents, st.sampled_from(["before", "in"])), max_size=8),
       st.randoms())
def test_closing_is_opening_plus_invoices_minus_payments(lines, rnd: random.Random):
    invoiced_before = totals((c, a) for c, a, when in lines if when == "before")
    invoiced_in = totals((c, a) for c, a, when in lines if when == "in")
    paid_before = totals((c, to_cents(a * D(rnd.random()))) for c, a, when in lines if when == "before")
    paid_in = totals((c, to_cents(a * D(rnd.random() / 2))) for c, a, _ in lines)
    opening = closing_balance(invoiced_before, {}, paid_before)
    closing = closing_balance(opening, invoiced_in, paid_in)
    for currency in ("MXN", "USD"):
        assert closing[currency] == (
            invoiced_before[currency] + invoiced_in[currency] - paid_before[currency] - paid_in[currency])
