"""Init container of every process that uses a service's database: wait for the schema.

The service's <svc>-migrate Job brings the database to the newest Alembic revision; the web
tier, relay, consumer and the other processes of that service start only once the database is
at the revision this same image expects (or at a newer one, when a later release has already
migrated: migrations are written expand-then-contract, so older code keeps working).

Runs from the service's own image: SERVICE_PACKAGE names its Python package (billing_service),
whose entrypoints.migrate.MIGRATIONS_DIR holds the Alembic scripts; DATABASE_URL is the
service's database. Exits 0 when the schema is there, 1 after SCHEMA_WAIT_SECONDS (default
900) with the reason, so the pod shows why it is not starting.
"""
from __future__ import annotations

import importlib
import os
import sys
import time

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from portal_shared.db.engine import make_engine
from portal_shared.db.migrate import alembic_config
from sqlalchemy.exc import SQLAlchemyError


def schema_state(engine, script: ScriptDirectory) -> tuple[bool, str]:
    """(ready, what was seen)."""
    heads = set(script.get_heads())
    known = {revision.revision for revision in script.walk_revisions()}
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return True, f"schema at {', '.join(sorted(current))}"
    if current and not current <= known:
        return True, f"schema at {', '.join(sorted(current))}, newer than this image's {', '.join(sorted(heads))}"
    seen = ", ".join(sorted(current)) or "no schema yet"
    return False, f"{seen}; this image needs {', '.join(sorted(heads))} (the migrate Job has not finished)"


def main() -> int:
    package = os.environ["SERVICE_PACKAGE"]
    url = os.environ["DATABASE_URL"]
    migrations_dir = importlib.import_module(f"{package}.entrypoints.migrate").MIGRATIONS_DIR
    script = ScriptDirectory.from_config(alembic_config(migrations_dir, url))
    deadline = time.monotonic() + float(os.environ.get("SCHEMA_WAIT_SECONDS", "900"))
    interval = float(os.environ.get("SCHEMA_WAIT_INTERVAL_SECONDS", "3"))
    engine = make_engine(url, pool_size=1, max_overflow=0)
    last = ""
    try:
        while True:
            try:
                ready, seen = schema_state(engine, script)
            except SQLAlchemyError as exc:
                ready, seen = False, f"database unreachable: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            if ready:
                print(f"{package}: {seen}", flush=True)
                return 0
            if seen != last:
                print(f"{package}: waiting: {seen}", flush=True)
                last = seen
            if time.monotonic() >= deadline:
                print(f"{package}: gave up waiting for the schema: {seen}", file=sys.stderr, flush=True)
                return 1
            time.sleep(interval)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
