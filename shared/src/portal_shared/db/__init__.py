"""Engines, sessions and column types every service's persistence uses."""
from portal_shared.db.engine import (
    ensure_sqlite_directory,
    make_engine,
    make_session_factory,
    normalize_url,
    transaction,
)
from portal_shared.db.types import MONEY, UTCDateTime, utcnow

__all__ = [
    "MONEY",
    "UTCDateTime",
    "ensure_sqlite_directory",
    "make_engine",
    "make_session_factory",
    "normalize_url",
    "transaction",
    "utcnow",
]
