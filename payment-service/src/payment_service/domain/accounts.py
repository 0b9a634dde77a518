"""The accounts a customer may pay invoices of: payment's copy of billing's accounts."""
from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class PayableAccount:
    account_id: uuid.UUID
    customer_id: uuid.UUID
    account_number: str


class ConflictingAccount(Exception):
    """billing announced an account that contradicts one payment already knows.

    Raised out of the handler so the message is retried and then dead-lettered for a person
    to look at: payments must never be booked against the wrong company.
    """


def is_already_known(known: PayableAccount | None, announced: PayableAccount) -> bool:
    """True when the announcement repeats what payment holds; raises when it contradicts it.

    `known` is the account payment holds under the same id or the same account number.
    """
    if known is None:
        return False
    if known != announced:
        raise ConflictingAccount(f"announced {announced} but payment holds {known}")
    return True
