"""The banks customers pay through: the code every service, event and form uses, and the name
people read on pages, mails and receipts. A new bank starts here (then its adapter in payment)."""
from __future__ import annotations

BANK_NAMES = {"citibanamex": "Citibanamex", "bbva": "BBVA Bancomer"}
BANKS = tuple(BANK_NAMES)
