"""/metrics of a service's web tier: route templates, statuses, the outbox gauges, the broker's
state, and the sum over gunicorn workers (prometheus_client's multiprocess files)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pika
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from portal_shared.auth.signing import TokenSigner, generate_private_key
from portal_shared.db.types import utcnow
from portal_shared.outbox import Outbox
from portal_shared.service import gunicorn
from portal_shared.service.app import build_service_app
from portal_shared.service.config import ServiceConfig

UNREACHABLE_AMQP_URL = "amqp://guest:guest@127.0.0.1:1/%2F"


class SampleConfig(ServiceConfig):
    SERVICE_NAME = "testsvc"
    DATABASE_FILE = "sample.db"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by (name, sorted labels)."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


@pytest.fixture
def make_service(monkeypatch):
    built = []
    # The process registry, never the multiprocess files, unless a test asks for them.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    def make(database_url: str, amqp_url: str = UNREACHABLE_AMQP_URL):
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("AMQP_URL", amqp_url)
        service = build_service_app(
            __name__, SampleConfig,
            {"TESTING": True, "VERSION": "0.0.0", "JWKS": TokenSigner([generate_private_key()]).jwks()},
            extension_prefix="sample",
        )

        def explode():
            raise RuntimeError("boom")

        service.app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: {"id": item_id})
        service.app.add_url_rule("/explode", "explode", explode)
        built.append(service)
        return service

    yield make
    for service in built:
        service.engine.dispose()


def test_requests_are_counted_by_route_template_and_status(make_service, database_url):
    client = make_service(database_url).app.test_client()
    assert client.get("/items/7").status_code == 200
    assert client.get("/items/8").status_code == 200
    missing = client.get("/items/nine/123")
    assert (missing.status_code, missing.content_type) == (404, "application/problem+json")
    failed = client.get("/explode")
    # The problem+json answer is as before; the metric only watches it.
    assert (failed.status_code, failed.content_type) == (500, "application/problem+json")
    assert failed.json["title"] == "Internal Server Error"

    text = scrape(client)
    count = "http_request_duration_seconds_count"
    assert value(text, count, method="GET", route="/items/<int:item_id>", status="200") == 2
    assert value(text, count, method="GET", route="unmatched", status="404") == 1
    assert value(text, count, method="GET", route="/explode", status="500") == 1
    # Raw paths never become label values.
    assert "/items/7" not in text and "/items/nine" not in text


def test_outbox_gauges_follow_the_unsent_rows(make_service, database_url, tables, make_event):
    client = make_service(database_url).app.test_client()
    text = scrape(client)
    assert value(text, "outbox_up", service="testsvc") == 1
    assert value(text, "outbox_backlog", service="testsvc", channel="events") == 0
    assert value(text, "outbox_oldest_unsent_age_seconds", service="testsvc", channel="events") == 0

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as connection:
            Outbox(tables.outbox).add_events(connection, [make_event(), make_event()])
            Outbox(tables.outbox).add_mail(connection, to="someone@example.com", subject="s", text="t")
            # The oldest row was written two minutes ago.
            oldest = connection.scalar(sa.select(sa.func.min(tables.outbox.c.seq)))
            connection.execute(tables.outbox.update().where(tables.outbox.c.seq == oldest)
                               .values(created_at=utcnow() - timedelta(minutes=2)))
        text = scrape(client)
        assert value(text, "outbox_backlog", service="testsvc", channel="events") == 2
        assert value(text, "outbox_backlog", service="testsvc", channel="mail") == 1
        assert value(text, "outbox_oldest_unsent_age_seconds", service="testsvc", channel="events") >= 120
        assert value(text, "outbox_oldest_unsent_age_seconds", service="testsvc", channel="mail") < 60
        assert "someone@example.com" not in text

        with engine.begin() as connection:
            connection.execute(tables.outbox.update().where(tables.outbox.c.seq == oldest).values(sent_at=utcnow()))
        text = scrape(client)
        assert value(text, "outbox_backlog", service="testsvc", channel="events") == 1
        assert value(text, "outbox_oldest_unsent_age_seconds", service="testsvc", channel="events") < 60
    finally:
        engine.dispose()


def test_an_unreadable_outbox_does_not_fail_the_scrape(make_service, tmp_path):
    # An empty SQLite file: no outbox table. Port 1: nothing listens there.
    client = make_service(f"sqlite:///{tmp_path / 'empty.db'}").app.test_client()
    text = scrape(client)
    assert value(text, "outbox_up", service="testsvc") == 0
    assert value(text, "outbox_backlog", service="testsvc", channel="events") is None


def test_a_web_tier_scrape_opens_no_broker_connection(make_service, database_url, monkeypatch):
    """The dead-letter depth and broker_up are the consumer's figures: pika stays out of web processes."""
    def refuse(*args, **kwargs):
        raise AssertionError("a web tier's /metrics opened a broker connection")

    monkeypatch.setattr(pika, "BlockingConnection", refuse)
    text = scrape(make_service(database_url).app.test_client())
    assert value(text, "broker_up", service="testsvc") is None
    assert "dead_letter_queue_messages" not in text


_WORKER = textwrap.dedent(
    """
    import sys
    from portal_shared.auth.signing import TokenSigner, generate_private_key
    from portal_shared.service.app import build_service_app
    from portal_shared.service.config import ServiceConfig

    class SampleConfig(ServiceConfig):
        SERVICE_NAME = "testsvc"
        DATABASE_FILE = "sample.db"

    service = build_service_app("worker", SampleConfig, {"TESTING": True, "VERSION": "0.0.0",
                                "JWKS": TokenSigner([generate_private_key()]).jwks()}, extension_prefix="w")
    service.app.add_url_rule("/items/<int:item_id>", "item", lambda item_id: {"id": item_id})
    client = service.app.test_client()
    for n in range(int(sys.argv[1])):
        assert client.get(f"/items/{n}").status_code == 200
    if sys.argv[2] == "scrape":
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
    """
)


def test_workers_figures_are_summed_through_the_multiprocess_directory(tmp_path):
    """Two processes, as two gunicorn workers: the second one's /metrics counts both."""
    directory = tmp_path / "metrics"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "AMQP_URL": UNREACHABLE_AMQP_URL}

    def worker(requests: int, then: str) -> str:
        done = subprocess.run([sys.executable, "-c", _WORKER, str(requests), then], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker(3, "exit")
    text = worker(4, "scrape")
    count = value(text, "http_request_duration_seconds_count", method="GET", route="/items/<int:item_id>", status="200")
    assert count == 7
    assert len(list(directory.glob("histogram_*.db"))) == 2  # one file per worker


def test_gunicorn_hooks_give_the_server_its_own_directory(monkeypatch, tmp_path):
    # setenv, not delenv: whatever the hook sets is undone after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    settings = gunicorn.gunicorn_settings(default_port=8100)
    assert {"on_starting", "child_exit", "on_exit"} <= set(settings)

    settings["on_starting"](None)
    made = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert os.path.isdir(made)
    settings["on_exit"](None)
    assert not os.path.exists(made)

    given = tmp_path / "given"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"left by an earlier run")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(given))
    settings["on_starting"](None)
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(given)
    assert list(given.iterdir()) == []
    settings["on_exit"](None)
    assert given.is_dir()  # a directory the operator gave is kept


_GUNICORN_SEQUENCE = textwrap.dedent(
    """
    import os, sys
    # As under gunicorn: the service's package (and prometheus_client with it) is imported in the
    # master with its gunicorn_conf, before on_starting points PROMETHEUS_MULTIPROC_DIR anywhere.
    from portal_shared.service.app import build_service_app
    from portal_shared.service import gunicorn
    from portal_shared.auth.signing import TokenSigner, generate_private_key
    from portal_shared.service.config import ServiceConfig

    class SampleConfig(ServiceConfig):
        SERVICE_NAME = "testsvc"
        DATABASE_FILE = "sample.db"

    settings = gunicorn.gunicorn_settings(default_port=8100)
    settings["on_starting"](None)
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    pid = os.fork()
    if pid == 0:  # the worker
        settings["post_fork"](None, None)
        service = build_service_app("w", SampleConfig, {"TESTING": True, "VERSION": "0.0.0",
                                    "JWKS": TokenSigner([generate_private_key()]).jwks()}, extension_prefix="w")
        client = service.app.test_client()
        for _ in range(5):
            client.get("/healthz")
        sys.stdout.write(client.get("/metrics").get_data(as_text=True))
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)
    settings["on_exit"](None)
    assert not os.path.exists(directory)
    """
)


def test_a_gunicorn_worker_writes_to_the_servers_directory_though_the_master_imported_the_library(tmp_path):
    env = {key: val for key, val in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "AMQP_URL": UNREACHABLE_AMQP_URL,
                "TMPDIR": str(tmp_path)})
    done = subprocess.run([sys.executable, "-c", _GUNICORN_SEQUENCE], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert value(done.stdout, "http_request_duration_seconds_count", method="GET", route="/healthz", status="200") == 5
