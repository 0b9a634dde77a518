"""The portal's one home for money and Mexico City's day, and that no service keeps its own."""
from __future__ import annotations

import ast
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from portal_shared.mexico import MEXICO_CITY, mexico_date, mxn_for, start_of_day, to_cents

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("identity-service", "billing-service", "payment-service", "servicedesk-service", "gateway")

cents = st.integers(min_value=1, max_value=10**12).map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=1, max_value=10**6).map(lambda n: Decimal(n) / 10**4)
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(timezone.utc))


@given(cents, rates)
def test_a_usd_amount_is_worth_its_product_rounded_half_up_to_the_cent(amount, rate):
    exact = amount * rate
    priced = mxn_for(amount, "USD", rate)
    assert abs(priced - exact) <= Decimal("0.005")
    assert priced == to_cents(exact) and priced.as_tuple().exponent == -2


def test_half_a_cent_rounds_up_and_a_usd_amount_without_a_rate_has_no_mxn_value():
    assert mxn_for(Decimal("1.00"), "USD", Decimal("17.1250")) == Decimal("17.13")
    assert mxn_for(Decimal("1.00"), "USD", None) is None
    assert mxn_for(Decimal("10.5"), "MXN", None) == Decimal("10.50")


@given(instants)
def test_every_instant_falls_in_the_mexico_city_day_that_contains_it(moment):
    day = mexico_date(moment)
    assert start_of_day(day) <= moment < start_of_day(day + timedelta(days=1))


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2035, 12, 31)))
def test_around_midnight_in_mexico_city_the_day_changes(day):
    midnight = start_of_day(day)
    assert mexico_date(midnight - timedelta(microseconds=1)) == day - timedelta(days=1)
    assert mexico_date(midnight) == day
    # No daylight saving since 2022: midnight is 06:00 UTC all year.
    assert midnight.astimezone(timezone.utc).hour == 6 and midnight.tzinfo is MEXICO_CITY


def _own_rules(source: Path) -> list[str]:
    """Mexico City's zone, a fixed UTC offset or half-up rounding written in a service instead of
    taken from portal_shared.mexico (a zone named by a setting, as servicedesk's calendar, is fine)."""
    found = []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            first = node.args[0]
            named = isinstance(first, ast.Constant) and first.value == "America/Mexico_City"
            fixed_offset = node.func.id == "timezone" and not (isinstance(first, ast.Attribute) and first.attr == "utc")
            if (node.func.id == "ZoneInfo" and named) or fixed_offset:
                found.append(f"{source.relative_to(ROOT)}:{node.lineno} {node.func.id}(…)")
        if isinstance(node, ast.Name) and node.id == "ROUND_HALF_UP":
            found.append(f"{source.relative_to(ROOT)}:{node.lineno} ROUND_HALF_UP")
    return found


def test_no_service_keeps_its_own_money_rounding_or_mexico_city_zone():
    found = [hit for service in SERVICES for source in (ROOT / service / "src").rglob("*.py") for hit in _own_rules(source)]
    assert not found, "use portal_shared.mexico instead:\n" + "\n".join(found)
