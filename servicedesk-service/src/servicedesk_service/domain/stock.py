"""Toner stock rules (e-Maintenance): plain functions over values, no database."""
from __future__ import annotations

from dataclasses import dataclass

from portal_shared.auth import ADMIN, AGENT, OPERATOR, STOCK_ADMIN, STOCK_DEVICE_ADMIN

OPEN = "open"
SHIPPED = "shipped"
CANCELLED = "cancelled"
ORDER_STATUSES = (OPEN, SHIPPED, CANCELLED)
# Where the vendor may move an open order; both are final.
VENDOR_MOVES = (SHIPPED, CANCELLED)

DEFAULT_LOW_TONER_PERCENT = 15

# Customer roles that keep stock locations; agents read every customer's.
STOCK_EDITOR_ROLES = (ADMIN, STOCK_ADMIN, STOCK_DEVICE_ADMIN)
STOCK_READER_ROLES = (*STOCK_EDITOR_ROLES, AGENT)
# The back office ships the orders, so it reads them as well.
ORDER_READER_ROLES = (*STOCK_READER_ROLES, OPERATOR)
# Who gets the mail of a new order.
STOCK_MAIL_ROLES = frozenset({STOCK_ADMIN, STOCK_DEVICE_ADMIN})


def normalize_item(toner_item: str) -> str:
    """Toner items are product codes ("GPR-58 K"): compared without regard to case or spacing."""
    return " ".join(toner_item.split()).upper()


def is_low(percent: int, low_toner_percent: int = DEFAULT_LOW_TONER_PERCENT) -> bool:
    """A toner reported at or under the threshold needs replenishing soon."""
    return percent <= low_toner_percent


def at_or_under_reorder_point(quantity: int, reorder_point: int) -> bool:
    return quantity <= reorder_point


def order_quantity(quantity: int, reorder_point: int) -> int:
    """Enough to bring the location up to twice its reorder point, so the next order is not due at
    once; never less than one cartridge (a reorder point of 0 still orders when the shelf is empty)."""
    return max(1, 2 * reorder_point - quantity)


@dataclass(frozen=True)
class Replenishment:
    """An order to place: this item for this location, this many."""

    toner_item: str
    quantity: int


def replenishments(
    reported: dict[str, int], held: dict[str, tuple[int, int]], low_toner_percent: int
) -> list[Replenishment]:
    """What a report calls for: each reported item that is low and that the location holds at or under
    its reorder point. `reported` maps item to percent; `held` maps item to (quantity, reorder point)."""
    wanted = []
    for item, percent in sorted(reported.items()):
        if item not in held or not is_low(percent, low_toner_percent):
            continue
        quantity, reorder_point = held[item]
        if at_or_under_reorder_point(quantity, reorder_point):
            wanted.append(Replenishment(item, order_quantity(quantity, reorder_point)))
    return wanted


class TransitionRefused(Exception):
    """A toner order asked to move where it cannot go from its status."""


def check_move(current: str, wanted: str) -> bool:
    """True when the order must change; False when it already is where it was asked to go (a repeat
    is harmless). Shipped and cancelled are final."""
    if wanted not in VENDOR_MOVES:
        raise TransitionRefused(f"An order can be moved to {' or '.join(VENDOR_MOVES)}, not {wanted!r}.")
    if current == wanted:
        return False
    if current != OPEN:
        raise TransitionRefused(f"The order is {current} already and cannot become {wanted}.")
    return True
