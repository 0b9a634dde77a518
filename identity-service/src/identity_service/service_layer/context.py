"""What every handler needs, built once at start-up and injected (tests pass their own clock)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from portal_shared.auth.signing import TokenSigner
from portal_shared.outbox import Outbox

from identity_service.adapters.hashing import Passwords
from identity_service.adapters.orm import outbox_table

Clock = Callable[[], datetime]


@dataclass
class Context:
    session_factory: sessionmaker[Session]
    passwords: Passwords
    signer: TokenSigner
    clock: Clock
    settings: dict[str, Any]
    outbox: Outbox = field(default_factory=lambda: Outbox(outbox_table))

    def seconds(self, name: str) -> timedelta:
        return timedelta(seconds=int(self.settings[name]))

    def link(self, path: str, token: str) -> str:
        return f"{self.settings['PORTAL_BASE_URL']}{path}?token={token}"


def build_context(settings: dict[str, Any], session_factory: sessionmaker[Session], signer: TokenSigner) -> Context:
    passwords = Passwords(
        time_cost=int(settings["ARGON2_TIME_COST"]),
        memory_cost=int(settings["ARGON2_MEMORY_COST"]),
        parallelism=int(settings["ARGON2_PARALLELISM"]),
    )
    return Context(
        session_factory=session_factory, passwords=passwords, signer=signer, clock=settings["CLOCK"], settings=settings
    )
