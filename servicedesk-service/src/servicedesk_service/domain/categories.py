"""What an incident is about: the categories incidents are opened and grouped under. No database.

The keys are what is stored and what the portal sends and shows a label for; a new category is
one line here. Incidents opened before the list was kept here may hold other text: they are
read as they are.
"""
from __future__ import annotations

INCIDENT_CATEGORIES = (
    "paper_jam",
    "print_quality",
    "error_code",
    "no_power",
    "scanning",
    "toner",
    "noise",
    "other",
)


def is_category(key: str) -> bool:
    return key in INCIDENT_CATEGORIES
