"""When an announced account repeats, and when it contradicts, what payment holds."""
from __future__ import annotations

import uuid

import pytest

from payment_service.domain.accounts import ConflictingAccount, PayableAccount, is_already_known

ACCOUNT = PayableAccount(uuid.uuid4(), uuid.uuid4(), "005300")


def test_unknown_account_is_new():
    assert is_already_known(None, ACCOUNT) is False


def test_identical_account_is_known():
    assert is_already_known(PayableAccount(ACCOUNT.account_id, ACCOUNT.customer_id, "005300"), ACCOUNT) is True


@pytest.mark.parametrize(
    "known",
    [
        PayableAccount(ACCOUNT.account_id, uuid.uuid4(), "005300"),
        PayableAccount(uuid.uuid4(), ACCOUNT.customer_id, "005300"),
        PayableAccount(ACCOUNT.account_id, ACCOUNT.customer_id, "005301"),
    ],
)
def test_contradictions_are_refused(known):
    with pytest.raises(ConflictingAccount):
        is_already_known(known, ACCOUNT)
