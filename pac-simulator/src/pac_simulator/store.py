"""The simulator's stamps and stamping certificates in SQLite (a file, or memory for tests); safe across threads."""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS stamps (
        uuid TEXT PRIMARY KEY,
        sello TEXT NOT NULL UNIQUE,
        issuer_rfc TEXT NOT NULL,
        stamped_at TEXT NOT NULL,
        xml BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS stamping_certificates (
        pac_rfc TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        certificate BLOB NOT NULL,
        key BLOB NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
)


class StampStore:
    def __init__(self, database: str):
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection per store, guarded by a lock: the simulator's load is a handful of requests.
        self._connection = sqlite3.connect(database, check_same_thread=False, timeout=30, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            if database != ":memory:":
                self._connection.execute("PRAGMA journal_mode=WAL")
            for statement in _SCHEMA:
                self._connection.execute(statement)

    def stamp_once(self, *, sello: str, issuer_rfc: str, make: Callable[[], tuple[str, bytes]]) -> tuple[dict, bool]:
        """The stamp of the document sealed with `sello`: the one made before (False), or the one
        `make` returns (uuid, xml), kept (True). Under the lock, so a retry racing the first
        request still gets one stamp."""
        with self._lock:
            row = self._connection.execute("SELECT * FROM stamps WHERE sello = ?", (sello,)).fetchone()
            if row is not None:
                return dict(row), False
            uuid, xml = make()
            self._connection.execute(
                "INSERT INTO stamps (uuid, sello, issuer_rfc, stamped_at, xml) VALUES (?, ?, ?, ?, ?)",
                (uuid, sello, issuer_rfc, _now(), xml),
            )
            row = self._connection.execute("SELECT * FROM stamps WHERE uuid = ?", (uuid,)).fetchone()
        return dict(row), True

    def by_sello(self, sello: str) -> dict | None:
        with self._lock:
            row = self._connection.execute("SELECT * FROM stamps WHERE sello = ?", (sello,)).fetchone()
        return None if row is None else dict(row)

    def by_uuid(self, uuid: str) -> dict | None:
        with self._lock:
            row = self._connection.execute("SELECT * FROM stamps WHERE uuid = ?", (uuid.upper(),)).fetchone()
        return None if row is None else dict(row)

    def count(self) -> int:
        with self._lock:
            return self._connection.execute("SELECT COUNT(*) FROM stamps").fetchone()[0]

    def stamping_certificate(self, pac_rfc: str, make: Callable[[], tuple[str, bytes, bytes]]) -> dict:
        """The PAC's stamping certificate (number, certificate DER, encrypted key DER), made by
        `make` the first time, so stamps made before a restart still verify after it."""
        with self._lock:
            row = self._connection.execute(
                "SELECT * FROM stamping_certificates WHERE pac_rfc = ?", (pac_rfc,)
            ).fetchone()
            if row is None:
                number, certificate, key = make()
                self._connection.execute(
                    "INSERT INTO stamping_certificates (pac_rfc, number, certificate, key, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (pac_rfc, number, certificate, key, _now()),
                )
                row = self._connection.execute(
                    "SELECT * FROM stamping_certificates WHERE pac_rfc = ?", (pac_rfc,)
                ).fetchone()
        return dict(row)

    def certificate_by_number(self, number: str) -> bytes | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT certificate FROM stamping_certificates WHERE number = ?", (number,)
            ).fetchone()
        return None if row is None else row["certificate"]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
