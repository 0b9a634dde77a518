"""billing shows and payment charges the same MXN for a USD invoice, at the same instant.

Each service goes its own way: billing picks the current rate for Mexico City's today and shows
every USD amount at it (balances); payment picks the rate for the instant a payment starts and
prices the items with it. Over random amounts, rates and instants (many of them within minutes
of midnight in Mexico City, where a fixed offset or another day rule would pick another day's
rate), both must pick the same rate and arrive at the same cents.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from billing_service.adapters import orm as billing_orm
from billing_service.service_layer.rates import current_rate as billing_current_rate
from payment_service.adapters import orm as payment_orm
from payment_service.domain.payments import PayableInvoice, RequestedItem, price_items
from payment_service.service_layer.payments import current_rate as payment_current_rate
from portal_shared.mexico import mexico_today, mxn_for, start_of_day

FIRST_DAY = date(2026, 3, 1)
DAYS = 60
CUSTOMER = uuid.uuid4()


def _rate_of(day: date) -> Decimal:
    # A different rate every day, so picking the wrong day shows in the price.
    return Decimal("17.0000") + Decimal((day - FIRST_DAY).days) / Decimal("100")


@pytest.fixture(scope="module")
def sessions():
    """Each service's own tables (SQLite in memory), holding the same rates, as the rate event leaves them."""
    opened = []
    for metadata, model in ((billing_orm.Base.metadata, billing_orm.ExchangeRate),
                            (payment_orm.Base.metadata, payment_orm.ExchangeRate)):
        engine = sa.create_engine("sqlite://")
        metadata.create_all(engine)
        session = Session(engine)
        session.add_all(model(rate_date=FIRST_DAY + timedelta(days=n), rate=_rate_of(FIRST_DAY + timedelta(days=n)))
                        for n in range(DAYS))
        session.commit()
        opened.append(session)
    yield opened
    for session in opened:
        session.close()


day_numbers = st.integers(min_value=1, max_value=DAYS - 2)
near_midnight = st.integers(min_value=-120 * 60, max_value=120 * 60)  # seconds around a Mexico City midnight
amounts = st.integers(min_value=1, max_value=10**10).map(lambda cents: Decimal(cents) / 100)


@settings(max_examples=300, deadline=None)
@given(day_numbers, near_midnight, amounts)
def test_billing_shows_what_payment_charges_around_midnight_in_mexico_city(sessions, day_number, offset, amount):
    billing, payment = sessions
    instant = start_of_day(FIRST_DAY + timedelta(days=day_number)).astimezone(timezone.utc) + timedelta(seconds=offset)

    # billing: the current rate is that of Mexico City's today at this instant.
    shown_rate = billing_current_rate(billing, mexico_today(instant))[1]
    shown = mxn_for(amount, "USD", shown_rate)
    # payment: the rate of the instant the payment starts, and the items priced with it.
    charged_rate = payment_current_rate(payment, instant)
    invoice = PayableInvoice(uuid.uuid4(), CUSTOMER, "F-1", "005300", "USD", amount)
    [item] = price_items(CUSTOMER, [RequestedItem(invoice.invoice_id, amount)], {invoice.invoice_id: invoice},
                         charged_rate)

    assert charged_rate == shown_rate, f"at {instant.isoformat()} billing used {shown_rate}, payment {charged_rate}"
    assert item.amount_mxn == shown
    expected_day = FIRST_DAY + timedelta(days=day_number if offset >= 0 else day_number - 1)
    assert shown_rate == _rate_of(expected_day), "the day changes at midnight in Mexico City, not at another hour"

