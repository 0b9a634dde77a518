"""The customer and user directory: servicedesk's copy of who exists at identity.

Devices are assigned to users and incidents are opened by them, so servicedesk keeps
names, e-mails and roles locally instead of asking identity on every request.
"""
from __future__ import annotations

from collections.abc import Iterable


def normalize_roles(roles: Iterable[str]) -> list[str]:
    """Each role once, in a stable order; unknown role names are kept, since identity owns the list."""
    return sorted({role.strip() for role in roles if role.strip()})


def normalize_rfc(rfc: str) -> str:
    return rfc.strip().upper()
