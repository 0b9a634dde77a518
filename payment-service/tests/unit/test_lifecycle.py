"""A payment's lifecycle: every state against every answer of the bank (and the reconciler's
expiry), and answers repeated and out of order (the callback, its repeats, status checks and the
reconciler all apply them): the first final answer wins, but the bank's approval always does."""
from __future__ import annotations

import itertools

import pytest

from payment_service.domain.lifecycle import (
    ANSWERS,
    APPROVED,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    EXPIRED,
    FAILED,
    FINAL_STATUSES,
    PENDING,
    STATUSES,
    STILL_PENDING,
    settled_status,
)

# (status, answer, with a bank reference) -> the new status, None when nothing changes.
TABLE = {
    (PENDING, APPROVED, True): CONFIRMED,
    (PENDING, APPROVED, False): None,  # no reference to receipt: wait for a full approval
    (PENDING, DECLINED, True): FAILED,
    (PENDING, DECLINED, False): FAILED,
    (PENDING, CANCELLED, True): FAILED,  # the bank cancelled it: at its page, or asked by the portal
    (PENDING, CANCELLED, False): FAILED,
    (PENDING, STILL_PENDING, True): None,
    (PENDING, STILL_PENDING, False): None,
    (PENDING, EXPIRED, True): FAILED,  # the reconciler's clock, after the bank still said pending
    (PENDING, EXPIRED, False): FAILED,
    # Failed, and yet the bank reports it paid: a late confirmation, never a lost payment.
    (FAILED, APPROVED, True): CONFIRMED,
    (FAILED, APPROVED, False): None,
    **{(FAILED, answer, reference): None
       for answer in (DECLINED, CANCELLED, STILL_PENDING, EXPIRED) for reference in (True, False)},
    **{(status, answer, reference): None
       for status in FINAL_STATUSES for answer in ANSWERS for reference in (True, False)},
}


def test_the_table_names_every_pair_of_state_and_answer():
    assert set(TABLE) == set(itertools.product(STATUSES, ANSWERS, (True, False)))


@pytest.mark.parametrize(("status", "answer", "reference"), sorted(TABLE))
def test_each_state_and_answer(status, answer, reference):
    assert settled_status(status, answer, "BC-Banamex 123456" if reference else None) == TABLE[(status, answer, reference)]


def _apply_all(answers) -> str:
    status = PENDING
    for answer, reference in answers:
        status = settled_status(status, answer, reference) or status
    return status


FINAL_ANSWERS = [(APPROVED, "BC-Banamex 1"), (DECLINED, None), (CANCELLED, None), (EXPIRED, None)]
ALL_ANSWERS = FINAL_ANSWERS + [(STILL_PENDING, None), (APPROVED, None)]


@pytest.mark.parametrize("answers", [list(p) for n in range(1, 4) for p in itertools.product(ALL_ANSWERS, repeat=n)])
def test_an_approval_confirms_whenever_it_comes_else_the_first_final_answer_wins(answers):
    first_final = next((a for a in answers if settled_status(PENDING, *a) is not None), None)
    if (APPROVED, "BC-Banamex 1") in answers:
        expected = CONFIRMED
    else:
        expected = PENDING if first_final is None else settled_status(PENDING, *first_final)
    assert _apply_all(answers) == expected


def test_a_repeated_answer_changes_nothing_the_second_time():
    for answer in FINAL_ANSWERS:
        once = _apply_all([answer])
        assert settled_status(once, *answer) is None


@pytest.mark.parametrize(("status", "answer"), [("expired", APPROVED), (PENDING, "maybe")])
def test_unknown_states_and_answers_are_refused(status, answer):
    with pytest.raises(ValueError):
        settled_status(status, answer, None)
