"""The simulator's payments in SQLite (a file, or memory for tests); safe across threads."""
from __future__ import annotations

import sqlite3
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

PENDING, APPROVED, DECLINED, CANCELLED = "pending", "approved", "declined", "cancelled"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    folio INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    concept TEXT NOT NULL,
    return_url TEXT NOT NULL,
    notify_url TEXT NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    bank_reference TEXT,
    email TEXT,
    phone TEXT,
    client_number TEXT,
    notifications_sent INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    decided_at TEXT
)
"""


class PaymentStore:
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
            self._connection.execute(_SCHEMA)
        # Folios start at a bank-looking number rather than 1.
        with self._lock:
            if self._connection.execute("SELECT COUNT(*) FROM payments").fetchone()[0] == 0:
                self._connection.execute(
                    "INSERT OR IGNORE INTO sqlite_sequence (name, seq) SELECT 'payments', 4810000 "
                    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'payments')"
                )

    def create(self, *, reference: str, amount: str, currency: str, concept: str, return_url: str, notify_url: str) -> dict:
        payment_id = uuid.uuid4().hex
        with self._lock:
            self._connection.execute(
                "INSERT INTO payments (id, reference, amount, currency, concept, return_url, notify_url, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (payment_id, reference, amount, currency, concept, return_url, notify_url, PENDING, _now()),
            )
        return self.get(payment_id)

    def get(self, payment_id: str) -> dict | None:
        with self._lock:
            row = self._connection.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
        return None if row is None else dict(row)

    def decide(self, payment_id: str, *, outcome: str, status: str, bank_reference: str | None,
               after_cancel: bool = False, **details: str | None) -> bool:
        """Record the customer's choice once; False when the payment was already decided. after_cancel:
        the choice decides a cancelled payment instead, once; False when it is not cancelled."""
        undecided = f"status = '{CANCELLED}'" if after_cancel else "outcome IS NULL"
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE payments SET outcome = ?, status = ?, bank_reference = ?, email = ?, phone = ?,"
                f" client_number = ?, decided_at = ? WHERE id = ? AND {undecided}",
                (
                    outcome,
                    status,
                    bank_reference,
                    details.get("email"),
                    details.get("phone"),
                    details.get("client_number"),
                    _now(),
                    payment_id,
                ),
            )
        return cursor.rowcount == 1

    def cancel(self, payment_id: str) -> bool:
        """The customer left the bank's page, or the merchant withdrew the payment: cancelled, if
        the bank has not paid or refused it yet (a payment left "never answering" included).
        False when it had been decided."""
        with self._lock:
            cursor = self._connection.execute(
                "UPDATE payments SET outcome = 'cancel', status = ?, decided_at = ? WHERE id = ? AND status = ?",
                (CANCELLED, _now(), payment_id, PENDING),
            )
        return cursor.rowcount == 1

    def count_notification(self, payment_id: str) -> None:
        with self._lock:
            self._connection.execute(
                "UPDATE payments SET notifications_sent = notifications_sent + 1 WHERE id = ?", (payment_id,)
            )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
