"""Describing a service to the shared test fixtures and checks, and comparing its schema.

A service's tests/conftest.py defines a session fixture `service_under_test` returning a
ServiceUnderTest, and loads the fixtures with `pytest_plugins = ["portal_shared.testing.fixtures"]`.
"""
from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal_shared.contracts import Event, parse_event
from portal_shared.db import make_engine, transaction
from portal_shared.inbox import record_once
from portal_shared.db.migrate import upgrade_head
from portal_shared.testing.servers import temporary_database

if TYPE_CHECKING:
    from flask import Flask

    from portal_shared.service.config import ServiceConfig

T = TypeVar("T")

# Alembic's names for differences in constraint names only (not in what they constrain).
CONSTRAINT_NAME_DIFFERENCES = frozenset({"add_constraint", "remove_constraint"})


@dataclass(frozen=True)
class ServiceUnderTest:
    """What the shared fixtures and checks need to know about one service."""

    config_class: type[ServiceConfig]
    create_app: Callable[[Mapping[str, Any]], Flask]
    migrations_dir: Path
    metadata: sa.MetaData
    # The app keeps its engine and session factory as "<extension_prefix>.engine" / ".session_factory".
    extension_prefix: str
    inbox_table: sa.Table | None = None
    outbox_table: sa.Table | None = None
    handlers: Mapping[tuple[str, int], Callable] | None = None
    gunicorn_conf: str | None = None
    default_port: int | None = None

    @classmethod
    def from_layout(cls, package: str, *, default_port: int) -> ServiceUnderTest:
        """A service laid out as every service of this repository is: <package>.create_app, .config.Config,
        .entrypoints.migrate.MIGRATIONS_DIR, .adapters.orm (Base, INBOX, OUTBOX),
        .service_layer.subscriptions.HANDLERS and .gunicorn_conf."""
        orm = importlib.import_module(f"{package}.adapters.orm")
        return cls(
            config_class=importlib.import_module(f"{package}.config").Config,
            create_app=importlib.import_module(package).create_app,
            migrations_dir=importlib.import_module(f"{package}.entrypoints.migrate").MIGRATIONS_DIR,
            metadata=orm.Base.metadata,
            extension_prefix=package.removesuffix("_service"),
            inbox_table=orm.INBOX,
            outbox_table=orm.OUTBOX,
            handlers=importlib.import_module(f"{package}.service_layer.subscriptions").HANDLERS,
            gunicorn_conf=f"{package}.gunicorn_conf",
            default_port=default_port,
        )

    @property
    def name(self) -> str:
        return self.config_class.SERVICE_NAME

    @property
    def short_name(self) -> str:
        """The console scripts' prefix: billing-service has billing-migrate, billing-relay, ..."""
        return self.name.removesuffix("-service")

    def dispose(self, app: Flask) -> None:
        app.extensions[f"{self.extension_prefix}.engine"].dispose()


@contextmanager
def migrated_database(prefix: str, migrations_dir: Path) -> Iterator[str]:
    """A fresh PostgreSQL database at the newest schema, dropped afterwards."""
    with temporary_database(prefix) as url:
        upgrade_head(migrations_dir, url)
        yield url


def schema_differences(
    url: str, metadata: sa.MetaData, *, ignore: frozenset[str] = CONSTRAINT_NAME_DIFFERENCES
) -> list:
    """What Alembic's autogenerate would change to make the database at `url` match `metadata`.

    By default differences in constraint names are left out: shared's outbox and inbox table
    definitions let the database choose those names. ignore=frozenset() compares everything.
    """
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if not (isinstance(d, tuple) and d[0] in ignore)]


def poll_until(predicate: Callable[[], T], *, timeout: float = 15.0, what: str) -> T:
    """predicate()'s first truthy value; the test fails naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def delivery_through_the_inbox(service_under_test: ServiceUnderTest, session_factory,
                               handlers: Mapping[tuple[str, int], Callable] | None = None) -> Callable[[Event], bool]:
    """The deliver fixture's work: apply an event the way the consumer does, inbox row and effect
    in one transaction, with the service's handlers or `handlers` (a service whose handlers are
    bound to a context of the test's).

    The event first makes the round trip through JSON, so handlers see what the wire carries.
    Returns False when the inbox already held the event (nothing applied).
    """
    handlers = handlers if handlers is not None else service_under_test.handlers
    inbox = service_under_test.inbox_table
    assert handlers is not None and inbox is not None, f"{service_under_test.name} declares no subscriptions"

    def apply(event: Event) -> bool:
        event = parse_event(json.loads(json.dumps(event.to_message())))
        handler = handlers[(event.type, event.version)]
        with transaction(session_factory) as session:
            recorded = record_once(
                session, inbox, event_id=str(event.id), consumer=service_under_test.name, event_type=event.type
            )
            if not recorded:
                return False
            handler(session, event)
            return True

    return apply
