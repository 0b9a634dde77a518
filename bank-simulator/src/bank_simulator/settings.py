"""Settings from the environment, read when an app is built (never at import)."""
from __future__ import annotations

import os
from pathlib import Path

from bank_simulator.banks import profile


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def settings_for(bank: str) -> dict:
    bank_profile = profile(bank)
    var_dir = Path(_env("VAR_DIR", str(Path.cwd() / "var"))).resolve()
    return {
        "BANK": bank,
        # The secret payment-service verifies the notifications with (same defaults on both sides).
        "SECRET": _env(bank_profile.secret_variable, bank_profile.default_secret),
        # A SQLite file under VAR_DIR, so a restart keeps the payments; ":memory:" keeps nothing.
        "DATABASE": _env("SIMULATOR_DATABASE", str(var_dir / f"bank-simulator-{bank}.db")),
        # How browsers reach the simulator (redirect URLs); by default the host the API was called on.
        "PUBLIC_URL": _env("SIMULATOR_PUBLIC_URL", ""),
        "NOTIFY_TIMEOUT_SECONDS": float(_env("NOTIFY_TIMEOUT_SECONDS", "5")),
    }
