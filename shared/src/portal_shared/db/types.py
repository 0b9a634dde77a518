"""Column types with the house rules built in: UTC times, money as NUMERIC."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, Numeric
from sqlalchemy.types import TypeDecorator

# Money is NUMERIC with two decimals, read back as Decimal, never float.
MONEY = Numeric(18, 2, asdecimal=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
