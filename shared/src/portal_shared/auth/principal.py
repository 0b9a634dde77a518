"""Who is calling, as the verified token says."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal_shared.auth.roles import STAFF_ROLES


@dataclass(frozen=True)
class Principal:
    user_id: str
    customer_id: str | None
    roles: frozenset[str]
    token_type: str
    session_id: str | None
    username: str
    expires_at: datetime
    # When identity issued the token (its iat, to the millisecond): revocations cover the tokens
    # issued up to an instant.
    issued_at: float = 0.0

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))
