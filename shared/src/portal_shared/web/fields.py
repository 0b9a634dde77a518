"""Request fields whose grammar is stricter than Python's.

Decimal("1e-2"), Decimal("１０") (full-width digits), Decimal("+10") and Decimal(" 10.00 ") are
all valid Python, so a plain Decimal field took them as amounts. Money and rates are written one
way only: ASCII digits, no sign, no exponent, no blanks, at most `places` decimals.
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import ValidationError, fields

# [0-9], not \d: \d also matches the digits of every other script.
_INTEGER_PART = r"(?:0|[1-9][0-9]{0,15})"


class StrictDecimal(fields.Decimal):
    """A decimal amount sent as a JSON string ("1234.50") or a whole JSON number (1234)."""

    def __init__(self, places: int = 2, **kwargs):
        kwargs.setdefault("allow_nan", False)
        super().__init__(places=places, **kwargs)
        self.max_places = places
        self._pattern = re.compile(_INTEGER_PART + (rf"(?:\.[0-9]{{1,{places}}})?" if places else ""))

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError(f'Must be a decimal string such as "1234.50", with at most {self.max_places} decimals.')
        text = str(value)
        if not self._pattern.fullmatch(text):
            raise ValidationError(
                f'Must be digits with at most {self.max_places} decimals and no sign, blank or exponent, such as "1234.50".'
            )
        return super()._deserialize(text, attr, data, **kwargs)
