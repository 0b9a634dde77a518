"""How payment events move an invoice's balance: one state machine per (payment, invoice).

    (none) --initiated--> in_transit --confirmed--> applied
       |                      '------failed-----> released --confirmed--> applied
       |--confirmed--> applied          (the initiation, arriving later, changes nothing)
       '--failed-----> released         (likewise)

Every event is applied at most once per pair, in whatever order and however often it arrives,
and money held in transit is always released by the pair's first confirmation or failure.
A confirmation applies even after a failure: payment-service confirms a failed payment when its
bank later reports it paid (the customer paid after the portal cancelled or expired it), and that
money is the customer's. If the invoice was paid meanwhile by another payment, the part beyond
what is pending is the pair's excess: the invoice stays paid, never below zero, and the excess
is recorded for a person to refund or credit, as with any overpayment.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing_service.domain.money import ZERO

from portal_shared.mexico import to_cents

IN_TRANSIT = "in_transit"
APPLIED = "applied"
RELEASED = "released"
STATES = (IN_TRANSIT, APPLIED, RELEASED)

INITIATED = "initiated"
CONFIRMED = "confirmed"
FAILED = "failed"


@dataclass(frozen=True)
class Balance:
    amount: Decimal
    pending: Decimal
    in_transit: Decimal

    @property
    def status(self) -> str:
        return "paid" if self.pending == ZERO else "open"


@dataclass(frozen=True)
class Step:
    """The change one event makes: the pair's new state and the invoice's new balance.

    `held` is what the pair keeps in transit; `applied` what reduced the pending amount;
    `excess` what was paid beyond the pending amount (never taken below zero).
    """

    state: str
    balance: Balance
    held: Decimal
    applied: Decimal = ZERO
    excess: Decimal = ZERO


def _apply(balance: Balance, amount: Decimal, released: Decimal) -> tuple[Balance, Decimal, Decimal]:
    applied = min(amount, balance.pending)
    new = Balance(balance.amount, balance.pending - applied, balance.in_transit - released)
    return new, applied, amount - applied


def next_step(kind: str, state: str | None, held: Decimal, balance: Balance, amount: Decimal) -> Step | None:
    """What `kind` (initiated/confirmed/failed) does to a pair in `state` holding `held` in transit.

    None: the event changes nothing (a duplicate, or it arrived after the pair's final event).
    """
    amount = to_cents(amount)
    if amount <= ZERO:
        raise ValueError("a payment item's amount must be positive")
    if kind == INITIATED:
        if state is not None:
            return None
        new = Balance(balance.amount, balance.pending, balance.in_transit + amount)
        return Step(IN_TRANSIT, new, held=amount)
    if kind == CONFIRMED:
        if state == APPLIED:
            return None
        # From in_transit the held money leaves transit; from nothing or released none was held
        # (released: a payment confirmed after it failed, its money applied all the same).
        released = held if state == IN_TRANSIT else ZERO
        new, applied, excess = _apply(balance, amount, released)
        return Step(APPLIED, new, held=ZERO, applied=applied, excess=excess)
    if kind == FAILED:
        if state in (APPLIED, RELEASED):
            return None
        released = held if state == IN_TRANSIT else ZERO
        new = Balance(balance.amount, balance.pending, balance.in_transit - released)
        return Step(RELEASED, new, held=ZERO)
    raise ValueError(f"unknown payment event kind {kind!r}")


class Ledger:
    """The rules above over many invoices, in memory: what the database does, for reasoning and tests."""

    def __init__(self) -> None:
        self.balances: dict[object, Balance] = {}
        self.pairs: dict[tuple[object, object], tuple[str, Decimal]] = {}
        self.applied: dict[tuple[object, object], Decimal] = {}

    def issue(self, invoice: object, amount: Decimal) -> None:
        self.balances[invoice] = Balance(to_cents(amount), to_cents(amount), ZERO)

    def handle(self, kind: str, payment: object, invoice: object, amount: Decimal) -> Step | None:
        state, held = self.pairs.get((payment, invoice), (None, ZERO))
        step = next_step(kind, state, held, self.balances[invoice], amount)
        if step is not None:
            self.balances[invoice] = step.balance
            self.pairs[(payment, invoice)] = (step.state, step.held)
            if step.state == APPLIED:
                self.applied[(payment, invoice)] = step.applied
        return step
