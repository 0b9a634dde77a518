"""Fixtures: one migrated PostgreSQL database per run (portal_shared.testing.fixtures), emptied before each
test; a movable clock."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal_shared.auth import ADMIN
from portal_shared.testing.service import ServiceUnderTest

from identity_service import create_app
from identity_service.adapters.orm import INBOX, Base, outbox_table
from identity_service.config import Config
from identity_service.entrypoints.migrate import MIGRATIONS_DIR
from identity_service.service_layer import customers, users
from identity_service.service_layer.notifications import Notifier
from identity_service.service_layer.subscriptions import handlers_for
from identity_service.service_layer.audit import system_actor

pytest_plugins = ["portal_shared.testing.fixtures"]

PASSWORD = "Vaca-Roja-Salta-42"


class Clock:
    """The service's notion of now; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    """identity to portal_shared.testing.fixtures: they give the migrated database and its engine."""
    return ServiceUnderTest(
        config_class=Config,
        create_app=create_app,
        migrations_dir=MIGRATIONS_DIR,
        metadata=Base.metadata,
        extension_prefix="identity",
        outbox_table=outbox_table,
        inbox_table=INBOX,
        handlers=handlers_for(Notifier(portal_base_url="http://portal.test", time_zone="America/Mexico_City")),
        gunicorn_conf="identity_service.gunicorn_conf",
        default_port=8001,
    )


@pytest.fixture(scope="session")
def key_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("keys") / "jwt-private.pem"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(service_under_test, database_url, engine, key_path, clock):
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "JWT_PRIVATE_KEY_PATH": str(key_path),
            "CLOCK": clock,
            # The cheapest argon2id allowed: the tests check behaviour, not hashing cost.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8,
            "ARGON2_PARALLELISM": 1,
            "PORTAL_BASE_URL": "http://portal.test",
            # Each request reads the revocations afresh: the tests see a revocation at once.
            "REVOCATION_REFRESH_SECONDS": 0,
        }
    )
    yield app
    service_under_test.dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


class Portal:
    """Arranging data through the service layer and reading what the service wrote."""

    password = PASSWORD

    def __init__(self, app, client, engine):
        self.app = app
        self.client = client
        self.engine = engine
        self.ctx = app.extensions["identity"]

    def customer(self, rfc="CDM850101AB1", name="Comercializadora Demo SA de CV", system="1000053",
                 accounts=("005300",)) -> dict:
        return customers.register_customer(self.ctx, system_actor("tests"), rfc=rfc, name=name,
                                           system_account_number=system, account_numbers=list(accounts))

    def user(self, username: str, roles: list[str], customer_id: str | None, password: str = PASSWORD) -> dict:
        return users.create_active_user(self.ctx, system_actor("tests"), username=username, name=username.split("@")[0],
                                        roles=roles, password=password, customer_id=customer_id, email=username)

    def admin(self, customer_id: str, username: str = "ana@demo.mx") -> dict:
        return self.user(username, [ADMIN], customer_id)

    def login(self, username: str, password: str = PASSWORD, address: str | None = None):
        headers = {"X-Forwarded-For": address} if address else {}
        return self.client.post("/api/v1/auth/login", json={"username": username, "password": password}, headers=headers)

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = self.login(username, password)
        assert response.status_code == 200, response.get_json()
        return response.get_json()["access_token"]

    def auth(self, username: str, password: str = PASSWORD) -> dict:
        return {"Authorization": f"Bearer {self.token(username, password)}"}

    def rows(self, table: str, **where) -> list[dict]:
        query = f'SELECT * FROM "{table}"'
        if where:
            query += " WHERE " + " AND ".join(f"{name} = :{name}" for name in where)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.text(query), where)]

    def count(self, table: str) -> int:
        return len(self.rows(table))

    def mails(self, to: str | None = None) -> list[dict]:
        found = [json.loads(row["payload"]) for row in sorted(self.rows("outbox", channel="mail"), key=lambda r: r["seq"])]
        return [mail for mail in found if to is None or mail["to"] == to]

    def events(self, event_type: str | None = None) -> list[dict]:
        found = [json.loads(row["payload"]) for row in sorted(self.rows("outbox", channel="events"), key=lambda r: r["seq"])]
        return [event for event in found if event_type is None or event["type"] == event_type]

    def link_token(self, to: str, path: str) -> str:
        """The token of the newest link to `path` mailed to `to`."""
        for mail in reversed(self.mails(to)):
            match = re.search(rf"http://portal\.test{re.escape(path)}\?token=([A-Za-z0-9_\-]+)", mail["text"])
            if match:
                return match.group(1)
        raise AssertionError(f"no {path} link was mailed to {to}")


@pytest.fixture
def portal(app, client, engine) -> Portal:
    return Portal(app, client, engine)
