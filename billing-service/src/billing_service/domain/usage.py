"""Meter usage: what one accepted reading adds to its account's month."""
from __future__ import annotations


def reading_usage(value: int, previous_value: int | None) -> int:
    """value − previous within one series; a series' first reading adds nothing (its start is unknown)."""
    if previous_value is None:
        return 0
    if value < previous_value:
        # servicedesk refuses such readings; one arriving anyway is a bug to see, not usage to bill.
        raise ValueError(f"reading {value} is lower than its previous {previous_value}")
    return value - previous_value
