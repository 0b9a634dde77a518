"""Toner stock rules: when toner is low, when a location reorders, how much, and where an order may move."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from servicedesk_service.domain.stock import (
    CANCELLED,
    OPEN,
    SHIPPED,
    Replenishment,
    TransitionRefused,
    at_or_under_reorder_point,
    check_move,
    is_low,
    normalize_item,
    order_quantity,
    replenishments,
)
from servicedesk_service.domain.toner_mail import toner_order_mail


@pytest.mark.parametrize("percent, low", [(0, True), (14, True), (15, True), (16, False), (100, False)])
def test_low_at_or_under_the_default_threshold(percent, low):
    assert is_low(percent) is low


def test_threshold_is_configurable():
    assert is_low(30, low_toner_percent=30) and not is_low(31, low_toner_percent=30)


@pytest.mark.parametrize("quantity, reorder_point, due", [(3, 4, True), (4, 4, True), (5, 4, False), (0, 0, True)])
def test_reorder_at_or_under_the_reorder_point(quantity, reorder_point, due):
    assert at_or_under_reorder_point(quantity, reorder_point) is due


@pytest.mark.parametrize("quantity, reorder_point, ordered", [(3, 4, 5), (4, 4, 4), (0, 4, 8), (0, 0, 1), (2, 1, 1)])
def test_order_brings_stock_to_twice_the_reorder_point_and_at_least_one(quantity, reorder_point, ordered):
    assert order_quantity(quantity, reorder_point) == ordered


def test_items_compare_without_case_or_spacing():
    assert normalize_item("  gpr-58   k ") == "GPR-58 K"


def test_replenishments_need_low_toner_and_a_held_item_at_its_reorder_point():
    reported = {"GPR-58 K": 10, "GPR-58 C": 10, "GPR-58 M": 80, "GPR-58 Y": 5}
    held = {"GPR-58 K": (3, 4), "GPR-58 C": (9, 4), "GPR-58 M": (0, 4)}  # Y is not kept at this location

    assert replenishments(reported, held, 15) == [Replenishment("GPR-58 K", 5)]


def test_nothing_reported_low_orders_nothing():
    assert replenishments({"GPR-58 K": 16}, {"GPR-58 K": (0, 4)}, 15) == []


def test_an_open_order_ships_or_cancels_once():
    assert check_move(OPEN, SHIPPED) is True
    assert check_move(OPEN, CANCELLED) is True
    assert check_move(SHIPPED, SHIPPED) is False  # a repeat is harmless


@pytest.mark.parametrize("current, wanted", [(SHIPPED, CANCELLED), (CANCELLED, SHIPPED), (OPEN, OPEN), (OPEN, "lost")])
def test_refused_moves(current, wanted):
    with pytest.raises(TransitionRefused):
        check_move(current, wanted)


def test_mail_names_the_order_in_spanish_and_english():
    mail = toner_order_mail(
        order_id="0b7c", toner_item="GPR-58 K", quantity=5, location_name="Almacén central",
        shipping_address="Av. Reforma 222, CDMX", serial_number="SN-1", percent=9,
        created_at=datetime(2026, 3, 10, 17, 0, tzinfo=timezone.utc), time_zone="America/Mexico_City",
    )
    assert "GPR-58 K" in mail.subject and "Almacén central" in mail.subject
    assert "Cantidad: 5" in mail.text and "5 x GPR-58 K" in mail.text
    assert "SN-1" in mail.text and "9 %" in mail.text and "0b7c" in mail.text
    assert "2026-03-10 11:00" in mail.text  # Mexico City time
