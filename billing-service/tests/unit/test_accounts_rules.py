"""Which account numbers a registration opens."""
from __future__ import annotations

import uuid

import pytest

from billing_service.domain.accounts import AccountNumberTaken, accounts_to_open, normalize_account_number

CUSTOMER = uuid.uuid4()
OTHER = uuid.uuid4()


def test_new_numbers_open_in_order_each_once():
    assert accounts_to_open(CUSTOMER, ["005300", " 005301 ", "005300"], {}) == ["005300", "005301"]


def test_numbers_the_customer_holds_are_skipped():
    assert accounts_to_open(CUSTOMER, ["005300", "005301"], {"005300": CUSTOMER}) == ["005301"]


def test_a_number_another_customer_holds_is_refused():
    with pytest.raises(AccountNumberTaken) as raised:
        accounts_to_open(CUSTOMER, ["005301", "005300"], {"005300": OTHER})
    assert (raised.value.account_number, raised.value.holder, raised.value.claimant) == ("005300", OTHER, CUSTOMER)


@pytest.mark.parametrize("raw", ["", "   ", "9" * 33])
def test_blank_or_overlong_numbers_are_not_account_numbers(raw):
    with pytest.raises(ValueError):
        normalize_account_number(raw)


def test_leading_zeros_are_kept():
    assert normalize_account_number(" 005300\n") == "005300"
