"""The interface every bank adapter offers, and what flows through it."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol



@dataclass(frozen=True)
class PaymentStart:
    payment_id: uuid.UUID
    reference: str
    amount: Decimal  # MXN
    concept: str
    return_url: str
    notify_url: str


@dataclass(frozen=True)
class StartResult:
    bank_payment_id: str
    redirect_url: str


@dataclass(frozen=True)
class CallbackResult:
    """A notification whose signature was verified."""

    bank_payment_id: str
    reference: str
    status: str  # approved | declined
    bank_reference: str | None
    email: str | None
    amount: Decimal


@dataclass(frozen=True)
class BankStatus:
    status: str  # pending | approved | declined | cancelled
    bank_reference: str | None
    email: str | None


class BankUnavailable(Exception):
    """The bank did not answer, or answered with an error: nothing is known."""


class InvalidCallback(Exception):
    """Unsigned, forged or stale: the sender cannot be trusted (401)."""


class MalformedCallback(Exception):
    """Signed by the bank, but not a notification we can read (422)."""


class BankAdapter(Protocol):
    name: str

    def start(self, payment: PaymentStart) -> StartResult:
        """Register the payment at the bank; raises BankUnavailable."""

    def verify_callback(self, headers: Mapping[str, str], raw_body: bytes) -> CallbackResult:
        """Raises InvalidCallback or MalformedCallback."""

    def query_status(self, bank_payment_id: str) -> BankStatus:
        """Raises BankUnavailable."""

    def cancel(self, bank_payment_id: str) -> BankStatus:
        """Withdraw a payment the bank has not decided; its status afterwards (approved when the
        bank had already paid it). Raises BankUnavailable."""
