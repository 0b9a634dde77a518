"""A payment's life as pure transitions: what the bank's answer does to a payment in each state.

    pending --approved, with the bank's reference--> confirmed
       |-----declined-------------------------------> failed (reason "declined")
       |-----cancelled: at the bank, by the customer
       |     or by the portal before the bank paid--> failed (reason "cancelled")
       '-----expired: pending at the bank too long---> failed (reason "expired")
    failed --approved, with the bank's reference---> confirmed (a late confirmation)
    A pending answer (or an approval without a reference) leaves a pending payment pending;
    a failed payment stays failed unless the bank approves it after all; once confirmed,
    nothing changes it.

The callback, its repeats, the return page's status check and the reconciler all ask the bank
and apply its answer here, in whatever order and however often: the first final answer wins,
except that the bank's approval always wins. A failure is the portal giving up on a payment
(the bank declined or cancelled it, or the reconciler's clock ran out), but when the bank's own
status API later says it took the money, the customer has paid: the payment is confirmed, never
lost. Only the reconciler's clock says "expired", and only after the bank itself still said
pending. "cancelled" is the bank's word: the portal asks the bank to cancel and applies its
answer, so a payment the bank paid meanwhile is confirmed, never cancelled.
"""
from __future__ import annotations

PENDING, CONFIRMED, FAILED = "pending", "confirmed", "failed"
STATUSES = (PENDING, CONFIRMED, FAILED)
# Whatever the bank answers after this, the payment stays as it is. A failed payment is not final:
# the bank may still report it paid (a customer who paid after the portal gave up on the payment).
FINAL_STATUSES = frozenset({CONFIRMED})

# What a bank answers about a payment, and what the reconciler's clock says of one it left pending.
APPROVED, DECLINED, CANCELLED, STILL_PENDING = "approved", "declined", "cancelled", "pending"
EXPIRED = "expired"
ANSWERS = (APPROVED, DECLINED, CANCELLED, STILL_PENDING, EXPIRED)
# The answers that end a payment unpaid; each is the failed payment's reason.
FAILURES = frozenset({DECLINED, CANCELLED, EXPIRED})


def settled_status(status: str, answer: str, bank_reference: str | None) -> str | None:
    """The status the bank's answer moves a payment in `status` to; None: it stays as it is."""
    if status not in STATUSES:
        raise ValueError(f"unknown payment status {status!r}")
    if answer not in ANSWERS:
        raise ValueError(f"unknown bank answer {answer!r}")
    if status in FINAL_STATUSES:
        return None
    if answer == APPROVED:
        # An approval the bank gives no reference for cannot be receipted: it waits for a full one.
        return CONFIRMED if bank_reference else None
    if status == PENDING and answer in FAILURES:
        return FAILED
    return None
