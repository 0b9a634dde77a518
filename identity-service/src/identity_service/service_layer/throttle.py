"""Counting failed sign-ins per account and per client address, and locking both out.

Counters live in the database so every web worker sees the same ones. A failure inside the
window adds one; the N-th locks the key for the lockout period; when the window has passed
the count starts again.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from identity_service.adapters.orm import LoginThrottle


@dataclass(frozen=True)
class Limit:
    max_failures: int
    window: timedelta
    lockout: timedelta


@dataclass(frozen=True)
class Counter:
    key: str
    limit: Limit


def retry_after(db: Session, counters: list[Counter], now: datetime) -> int | None:
    """Seconds until every lock among these counters is released; None when none is locked."""
    keys = [counter.key for counter in counters]
    rows = db.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [(row.locked_until - now).total_seconds() for row in rows if row.locked_until and row.locked_until > now]
    return max(1, math.ceil(max(waits))) if waits else None


def _locked_row(db: Session, key: str) -> LoginThrottle:
    row = db.get(LoginThrottle, key, with_for_update=True)
    if row is not None:
        return row
    try:
        # Two failures racing for a new key: one insert wins, the other reads the winner's row.
        with db.begin_nested():
            db.add(LoginThrottle(key=key, failures=0))
    except IntegrityError:
        pass
    return db.get(LoginThrottle, key, with_for_update=True, populate_existing=True)


def record_failure(db: Session, counter: Counter, now: datetime) -> bool:
    """Count one failure; True if this one engaged the lock."""
    row = _locked_row(db, counter.key)
    if row.window_started_at is None or now - row.window_started_at >= counter.limit.window:
        row.failures = 0
        row.window_started_at = now
    row.failures += 1
    if row.failures >= counter.limit.max_failures:
        row.locked_until = now + counter.limit.lockout
        row.failures = 0
        row.window_started_at = None
        return True
    return False


def clear(db: Session, key: str) -> None:
    db.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))


def account_key(username: str) -> str:
    return f"account:{username}"


def address_key(address: str) -> str:
    return f"address:{address}"


def first_account_key(username: str) -> str:
    return f"first-account:{username}"


def first_address_key(address: str) -> str:
    return f"first-address:{address}"


def recover_key(email: str) -> str:
    return f"recover:{email}"


def verify_resend_key(user_id: str) -> str:
    return f"verify-resend:{user_id}"


def invite_notice_key(email: str) -> str:
    return f"invite-notice:{email}"
