"""RFC format: letters, a real date, a homoclave; 12 characters for companies, 13 for persons."""
from __future__ import annotations

import pytest

from identity_service.domain.rfc import InvalidRFC, validate_rfc


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("CDM850101AB1", "CDM850101AB1"),  # company
        ("cdm850101ab1", "CDM850101AB1"),  # lower case is normalised
        ("  CDM850101AB1 ", "CDM850101AB1"),
        ("GODE561231GR8", "GODE561231GR8"),  # person
        ("ÑAN000229A12", "ÑAN000229A12"),  # Ñ, and 29 February of a leap year
        ("A&B991231XY0", "A&B991231XY0"),  # & in company names
        ("MAR0402293Z1", "MAR0402293Z1"),  # 29 Feb 2004
    ],
)
def test_valid(given, normalised):
    assert validate_rfc(given) == normalised


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("CDM851301AB1", "does not exist"),  # month 13
        ("CDM850230AB1", "does not exist"),  # 30 February
        ("CDM850229AB1", "does not exist"),  # 1985 is no leap year
        ("CDM850431AB1", "does not exist"),  # 31 April
        ("CDM850100AB1", "does not exist"),  # day 0
        ("CD850101AB1", "12 characters"),  # too short
        ("CDMAA850101AB1", "12 characters"),  # too long
        ("CDM850101AB", "12 characters"),
        ("1DM850101AB1", "letters"),  # digit where a letter goes
        ("CDM85O101AB1", "letters"),  # letter O in the date
        ("CDM850101A-1", "letters"),  # punctuation in the homoclave
        ("GODE561231G", "12 characters"),
        ("GOD1561231GR8", "letters"),  # person's RFC with only 3 letters then a digit
        ("", "12 characters"),
    ],
)
def test_invalid(given, reason):
    with pytest.raises(InvalidRFC, match=reason):
        validate_rfc(given)
