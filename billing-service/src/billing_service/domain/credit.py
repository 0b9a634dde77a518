"""A customer's credit standing, for customer service."""
from __future__ import annotations

from datetime import date

CURRENT = "current"
OVERDUE = "overdue"
BLOCKED = "blocked"


def credit_status(oldest_open_due_date: date | None, today: date, block_after_days: int) -> tuple[str, int]:
    """(status, days overdue): overdue once an open invoice is past its due date; blocked past
    `block_after_days` of that."""
    if oldest_open_due_date is None or oldest_open_due_date >= today:
        return CURRENT, 0
    days = (today - oldest_open_due_date).days
    return (BLOCKED if days > block_after_days else OVERDUE), days
