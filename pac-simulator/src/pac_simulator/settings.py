"""Settings from the environment, read when the app is built (never at import)."""
from __future__ import annotations

import os
from pathlib import Path


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def settings() -> dict:
    var_dir = Path(_env("VAR_DIR", str(Path.cwd() / "var"))).resolve()
    return {
        # The contract's credentials (HTTP Basic), as a real PAC gives its customers.
        "PAC_USER": _env("PAC_USER", "portal-demo"),
        "PAC_PASSWORD": _env("PAC_PASSWORD", "dev-pac-password"),
        # The PAC's RFC: RfcProvCertif of every stamp, and the branch name of its stamping certificate.
        "PAC_RFC": _env("PAC_RFC", "PSM2612079T1"),
        # The password the stamping certificate's key is kept under in the database.
        "STAMPING_KEY_PASSWORD": _env("STAMPING_KEY_PASSWORD", "dev-pac-stamping-key"),
        # A SQLite file under VAR_DIR, so a restart keeps the stamps and the certificate; ":memory:" keeps nothing.
        "DATABASE": _env("SIMULATOR_DATABASE", str(var_dir / "pac-simulator.db")),
        # The "slow" test control: how long a stamp request hangs unless told, and the most it may.
        "SLOW_SECONDS": float(_env("SLOW_SECONDS", "30")),
        "SLOW_LIMIT_SECONDS": float(_env("SLOW_LIMIT_SECONDS", "120")),
    }
