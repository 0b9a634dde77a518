"""A PostgreSQL and a RabbitMQ of the fault suite's own, which it may stop, kill and restart.

The machine's own servers (and CI's) serve other runs at the same time: restarting those would
break them. These live in a temporary directory on free loopback ports: PostgreSQL from the
Debian binaries (initdb + pg_ctl, as the `postgres` OS user when running as root, because
PostgreSQL refuses root), RabbitMQ as a second node with a name, ports, data, logs, config and
Erlang cookie of its own, without plugins. Anything that cannot start fails the run saying why.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pika
import pytest
import sqlalchemy as sa

from stack import free_port


def _newest_pg_bin() -> Path:
    """The newest PostgreSQL server installed the Debian way (the same place deploy/test-tools looks)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = Path(os.environ["FAULTS_PG_BIN"]) if os.environ.get("FAULTS_PG_BIN") else _newest_pg_bin()
RABBITMQ_BIN = Path(os.environ.get("FAULTS_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))
START_TIMEOUT = 60.0


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return "(no log)"


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class OwnPostgres:
    """One PostgreSQL cluster in `base`; stop() and start() keep its data, as a restart does."""

    def __init__(self, base: Path):
        self.base = base
        self.data = base / "data"
        self.log = base / "postgres.log"
        self.port = free_port()
        # PostgreSQL will not run as root; everything it touches must belong to the user it runs as.
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as_user, *args], capture_output=True, text=True, timeout=timeout, cwd=self.base)

    def init(self) -> None:
        for tool in ("initdb", "pg_ctl", "postgres"):
            if not (PG_BIN / tool).exists():
                pytest.fail(f"the fault suite starts its own PostgreSQL and needs {PG_BIN / tool} "
                            f"(Debian's postgresql server package; FAULTS_PG_BIN names another bin directory)")
        if self._as_user:
            if shutil.which("runuser") is None:
                pytest.fail("the fault suite runs PostgreSQL as the `postgres` user and needs `runuser` (util-linux)")
            shutil.chown(self.base, "postgres", "postgres")
        result = self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        if result.returncode != 0:
            pytest.fail(f"the fault suite could not create its own PostgreSQL cluster (initdb {result.returncode}):\n"
                        f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        # Loopback only, its own socket directory. Commits stay synchronous: a stop in immediate
        # mode must not lose an acknowledged commit. fsync is off because the suite crashes the
        # server, never the machine: the kernel still holds what was written.
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.base}'\n"
                       "max_connections = 300\nfsync = off\nfull_page_writes = off\n")

    def start(self) -> None:
        result = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")
        if result.returncode != 0:
            pytest.fail(f"the fault suite could not start its own PostgreSQL on port {self.port} "
                        f"(pg_ctl {result.returncode}):\n{result.stdout}\n{result.stderr}\n{_tail(self.log)}")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients see: every connection drops at once."""
        result = self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed ({result.returncode}): {result.stdout}\n{result.stderr}")

    def running(self) -> bool:
        return self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status").returncode == 0

    def create_database(self, name: str) -> str:
        engine = sa.create_engine(self.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        # The driver named, as temporary_database() gives it: the tests' own engines use psycopg 3 too.
        return self.url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + f"/{name}"


class OwnRabbit:
    """A second RabbitMQ node; stop_app()/start_app() restart the broker inside the running node."""

    def __init__(self, base: Path):
        self.base = base
        self.node = f"faults-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.log = base / "server.log"
        self._popen: subprocess.Popen | None = None
        # HOME holds the Erlang cookie: a cookie of its own means this node's CLI calls can only
        # ever reach this node, never the machine's.
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")},
            "HOME": str(base),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(base / "plugins-expand"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def start(self) -> None:
        server = RABBITMQ_BIN / "rabbitmq-server"
        if not server.exists():
            pytest.fail(f"the fault suite starts its own RabbitMQ node and needs {server} "
                        f"(Debian's rabbitmq-server; FAULTS_RABBITMQ_BIN names another bin directory)")
        # Not the machine's /etc/rabbitmq files: those name the default node and port 5672.
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\nloopback_users = none\n"
            # The suite's temporary disk and a busy machine must not raise alarms that block publishers.
            "disk_free_limit.absolute = 1MB\nvm_memory_high_watermark.relative = 0.8\n")
        self._popen = subprocess.Popen([str(server)], env=self.env, cwd=self.base, stdout=open(self.log, "wb"),
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_ready(START_TIMEOUT)

    def wait_ready(self, timeout: float) -> float:
        """Seconds until the node accepts AMQP connections; fails the run past `timeout`."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self._popen is not None and self._popen.poll() is not None:
                pytest.fail(f"the fault suite's RabbitMQ node {self.node} exited ({self._popen.returncode}):\n{_tail(self.log)}")
            if _port_open(self.port):
                try:
                    pika.BlockingConnection(pika.URLParameters(self.amqp_url + "?connection_attempts=1&socket_timeout=2")).close()
                    return time.monotonic() - started
                except Exception:  # noqa: BLE001 - still booting: polled until the deadline
                    pass
            time.sleep(0.1)
        pytest.fail(f"the fault suite's RabbitMQ node {self.node} did not accept AMQP on port {self.port} "
                    f"within {timeout}s:\n{_tail(self.log)}")

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """rabbitmqctl aimed at this node only (-n, and this node's cookie)."""
        result = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args], env=self.env, cwd=self.base,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl -n {self.node} {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}")
        return result.stdout

    def stop_app(self) -> None:
        self.ctl("stop_app")

    def start_app(self) -> float:
        self.ctl("start_app")
        return self.wait_ready(START_TIMEOUT)

    def stop(self) -> None:
        if self._popen is None or self._popen.poll() is not None:
            return
        try:
            self.ctl("stop", timeout=30)
            self._popen.wait(timeout=30)
        except (RuntimeError, subprocess.TimeoutExpired):
            os.killpg(self._popen.pid, signal.SIGKILL)
            self._popen.wait(timeout=10)


@contextmanager
def own_servers() -> Iterator[tuple[OwnPostgres, OwnRabbit]]:
    """Both servers, started in a new temporary directory and removed with it afterwards."""
    base = Path(tempfile.mkdtemp(prefix="portal-faults-"))
    # Traversable (not listable) by the `postgres` user, who owns only the pg/ folder below.
    base.chmod(0o711)
    (base / "pg").mkdir()
    (base / "rabbit").mkdir()
    postgres, rabbit = OwnPostgres(base / "pg"), OwnRabbit(base / "rabbit")
    try:
        postgres.init()
        postgres.start()
        rabbit.start()
        yield postgres, rabbit
    finally:
        rabbit.stop()
        if postgres.data.exists() and postgres.running():
            postgres.stop()
        shutil.rmtree(base, ignore_errors=True)
