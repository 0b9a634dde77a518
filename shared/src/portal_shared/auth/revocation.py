"""Access tokens refused before they expire: the denylist every verifier keeps.

An access token is checked by its signature alone, so signing out, a password change, a
disabled user or a role taken away would leave it working until it expires. identity announces
each of those (identity.access.revoked); every process that verifies tokens keeps the
announcements that still matter in a store of its own (its database, the gateway's Redis) and
refuses the tokens they cover. The list is read again at most every `refresh_seconds`, on
the request path, so how soon a revocation is seen is the event's travel time plus that.

A revocation covers the tokens issued at or before its instant: the tokens identity issues
afterwards (a refresh carrying the new roles, the next sign-in) are not covered.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from portal_shared.auth.principal import Principal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Revocation:
    issued_before: float  # seconds since the epoch, as the tokens' iat
    expires_at: float
    user_id: str | None = None
    customer_id: str | None = None
    session_id: str | None = None

    def covers(self, principal: Principal) -> bool:
        if principal.issued_at > self.issued_before:
            return False
        if self.user_id is not None:
            if principal.user_id != self.user_id:
                return False
        elif principal.customer_id != self.customer_id:
            return False
        return self.session_id is None or principal.session_id == self.session_id


def _seconds(value: datetime | float) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def revocation_from(data: Mapping[str, Any]) -> Revocation:
    """From an identity.access.revoked v1 event's data (as loaded) or a stored row's mapping."""
    return Revocation(
        issued_before=_seconds(data["issued_before"]),
        expires_at=_seconds(data["expires_at"]),
        user_id=_text(data.get("user_id")),
        customer_id=_text(data.get("customer_id")),
        session_id=_text(data.get("session_id")),
    )


class RevocationSource(Protocol):
    def active(self, now: float) -> Iterable[Revocation]:
        """Every revocation whose expires_at is after `now`."""


class RevocationList:
    """The revocations in force, read again from `source` when the copy is older than refresh_seconds.

    When the source cannot be read the last copy stays in use (and the failure is logged): the
    store's outage must not refuse every token, and what the copy lacks expires within minutes.
    """

    def __init__(self, source: RevocationSource, *, refresh_seconds: float = 1.0,
                 clock: Callable[[], float] = time.time):
        self._source = source
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._by_user: dict[str, list[Revocation]] = {}
        self._by_customer: dict[str, list[Revocation]] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def refused(self, principal: Principal) -> bool:
        self._refresh_if_due()
        now = self._clock()
        candidates = self._by_user.get(principal.user_id, []) + self._by_customer.get(principal.customer_id or "", [])
        return any(entry.expires_at > now and entry.covers(principal) for entry in candidates)

    def refresh(self) -> None:
        now = self._clock()
        try:
            entries = list(self._source.active(now))
        except Exception as exc:  # noqa: BLE001 - any store failure: keep the last copy, try again later
            log.error("the revocation list could not be read: %s", exc)
            self._read_at = now
            return
        by_user: dict[str, list[Revocation]] = {}
        by_customer: dict[str, list[Revocation]] = {}
        for entry in entries:
            if entry.user_id is not None:
                by_user.setdefault(entry.user_id, []).append(entry)
            elif entry.customer_id is not None:
                by_customer.setdefault(entry.customer_id, []).append(entry)
        self._by_user, self._by_customer, self._read_at = by_user, by_customer, now

    def _refresh_if_due(self) -> None:
        read_at = self._read_at
        if read_at is not None and self._clock() - read_at < self._refresh_seconds:
            return
        # One request refreshes; the others go on with the copy they have.
        if not self._lock.acquire(blocking=read_at is None):
            return
        try:
            if self._read_at is None or self._clock() - self._read_at >= self._refresh_seconds:
                self.refresh()
        finally:
            self._lock.release()
