"""The password policy: length, not derived from the user's own names, not a breached favourite."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import NamedTuple

MIN_LENGTH = 10
MAX_LENGTH = 128

# Each rule's stable code, which the portal says in the person's language, and its English message.
TOO_SHORT = "identity.password_too_short"
TOO_LONG = "identity.password_too_long"
IS_IDENTIFIER = "identity.password_is_identifier"
CONTAINS_IDENTIFIER = "identity.password_contains_identifier"
TOO_COMMON = "identity.password_too_common"
RULES = {
    TOO_SHORT: f"Use at least {MIN_LENGTH} characters.",
    TOO_LONG: f"Use at most {MAX_LENGTH} characters.",
    IS_IDENTIFIER: "The password must not be your RFC or user name.",
    CONTAINS_IDENTIFIER: "The password must not contain your RFC or user name.",
    TOO_COMMON: "This password is too common; choose one that is harder to guess.",
}


class PasswordProblem(NamedTuple):
    code: str
    message: str

    @classmethod
    def of(cls, code: str) -> "PasswordProblem":
        return cls(code, RULES[code])


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = files("identity_service.domain").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problems(password: str, *, forbidden: list[str | None]) -> list[PasswordProblem]:
    """Every rule the password breaks, one clear message each (empty list: acceptable).

    `forbidden` holds the user's own identifiers (RFC, user name): a password equal to or
    containing one of them is guessable by anyone who knows the company.
    """
    problems: list[PasswordProblem] = []
    if len(password) < MIN_LENGTH:
        problems.append(PasswordProblem.of(TOO_SHORT))
    if len(password) > MAX_LENGTH:
        problems.append(PasswordProblem.of(TOO_LONG))
    lowered = password.lower()
    for value in forbidden:
        if not value:
            continue
        if lowered == value.lower():
            problems.append(PasswordProblem.of(IS_IDENTIFIER))
            break
        if value.lower() in lowered:
            problems.append(PasswordProblem.of(CONTAINS_IDENTIFIER))
            break
    if lowered in common_passwords():
        problems.append(PasswordProblem.of(TOO_COMMON))
    return problems
