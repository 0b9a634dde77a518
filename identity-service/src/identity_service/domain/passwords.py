"""The password policy: length, not derived from the user's own names, not a breached favourite."""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

MIN_LENGTH = 10
MAX_LENGTH = 128


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = files("identity_service.domain").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def password_problems(password: str, *, forbidden: list[str | None]) -> list[str]:
    """Every rule the password breaks, one clear message each (empty list: acceptable).

    `forbidden` holds the user's own identifiers (RFC, user name): a password equal to or
    containing one of them is guessable by anyone who knows the company.
    """
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    for value in forbidden:
        if not value:
            continue
        if lowered == value.lower():
            problems.append("The password must not be your RFC or user name.")
            break
        if value.lower() in lowered:
            problems.append("The password must not contain your RFC or user name.")
            break
    if lowered in common_passwords():
        problems.append("This password is too common; choose one that is harder to guess.")
    return problems
