"""Which billing accounts a customer's registration opens."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

MAX_ACCOUNT_NUMBER_LENGTH = 32


class AccountNumberTaken(Exception):
    """An account number already billed to another customer: the registration cannot apply.

    Raised out of the handler so the message is retried and then dead-lettered for a person
    to look at, rather than silently moving an account between companies.
    """

    def __init__(self, account_number: str, holder: uuid.UUID, claimant: uuid.UUID):
        super().__init__(
            f"account number {account_number!r} belongs to customer {holder}, not to {claimant}"
        )
        self.account_number = account_number
        self.holder = holder
        self.claimant = claimant


def normalize_account_number(raw: str) -> str:
    """Account numbers are codes: leading zeros matter (005300), surrounding blanks do not."""
    number = raw.strip()
    if not number or len(number) > MAX_ACCOUNT_NUMBER_LENGTH:
        raise ValueError(f"not an account number: {raw!r}")
    return number


def accounts_to_open(
    customer_id: uuid.UUID, requested: Iterable[str], holders: Mapping[str, uuid.UUID]
) -> list[str]:
    """The requested numbers not yet open, in the order given, each once.

    `holders` maps account numbers that already exist to their customer. A number the
    customer already holds is skipped (a repeated registration changes nothing); a number
    another customer holds is refused.
    """
    to_open: list[str] = []
    for raw in requested:
        number = normalize_account_number(raw)
        holder = holders.get(number)
        if holder is not None and holder != customer_id:
            raise AccountNumberTaken(number, holder, customer_id)
        if holder is None and number not in to_open:
            to_open.append(number)
    return to_open
