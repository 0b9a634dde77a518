"""The RFC (Registro Federal de Contribuyentes), Mexico's tax id, checked by its format.

Companies (personas morales) have 12 characters: 3 letters, the date of incorporation as
YYMMDD and a 3-character homoclave. Persons (personas físicas) have 13: 4 letters, the birth
date and the homoclave. The date must exist. The check digit is not verified: SAT assigns RFCs
whose homoclave an outsider cannot recompute reliably, and a refused real RFC costs more than
an accepted typo that the operator sees on screen.
"""
from __future__ import annotations

import re
from datetime import date

_PATTERN = re.compile(r"^(?P<letters>[A-ZÑ&]{3,4})(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?P<homoclave>[A-Z0-9]{3})$")


class InvalidRFC(ValueError):
    pass


def normalize_rfc(value: str) -> str:
    return value.strip().upper()


def _date_exists(yy: int, mm: int, dd: int) -> bool:
    # The century is unknown; 2000 is a leap year, so 29 February of any "00" year is valid in
    # either reading, and any other YY is a leap year in both centuries or in neither.
    try:
        date(2000 + yy, mm, dd)
        return True
    except ValueError:
        return False


def validate_rfc(value: str) -> str:
    """The normalised RFC, or InvalidRFC saying what is wrong."""
    rfc = normalize_rfc(value)
    if len(rfc) not in (12, 13):
        raise InvalidRFC("An RFC has 12 characters (company) or 13 (person).")
    match = _PATTERN.match(rfc)
    if match is None or len(match["letters"]) != len(rfc) - 9:
        raise InvalidRFC(
            "An RFC is 3 letters (company) or 4 (person), a date as YYMMDD and a 3-character homoclave."
        )
    if not _date_exists(int(match["yy"]), int(match["mm"]), int(match["dd"])):
        raise InvalidRFC("The date in the RFC does not exist.")
    return rfc


def looks_like_rfc(value: str) -> bool:
    try:
        validate_rfc(value)
        return True
    except InvalidRFC:
        return False
