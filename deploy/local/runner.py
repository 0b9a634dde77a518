"""Starts the whole portal on this machine: every service, its relay and consumer, the mail sink,
the bank and PAC simulators.

Each service keeps its data in a SQLite file under var/; events go through the local RabbitMQ.
Ctrl-C, SIGTERM or SIGHUP (its terminal closed) stops every process cleanly, at any moment of the
start or the run. Process output goes to var/log/<name>.log.
"""
from __future__ import annotations

import argparse
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import demo_billing
import demo_knowledge
import demo_servicedesk
from demo_cfdi import Pac, Vendor

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PAC_PORT = 8201
# The demo vendor (billing's defaults) and its CSD, made under var/csd on the first start and
# kept: billing-stamper seals the payment receipts with it, the demo seed the invoices' CFDIs.
VENDOR_RFC = "PDM010101AB1"
VENDOR_NAME = "PORTAL DEMO MEXICO"
DEMO_CSD_PASSWORD = "dev-csd-password"
# The PAC contract's credentials: the PAC simulator's defaults and billing's alike.
PAC_USER, PAC_PASSWORD = "portal-demo", "dev-pac-password"


def demo_vendor(var: Path) -> Vendor:
    return Vendor(rfc=VENDOR_RFC, name=VENDOR_NAME, certificate_path=var / "csd" / "csd.cer",
                  key_path=var / "csd" / "csd.key", key_password=DEMO_CSD_PASSWORD)


def make_demo_csd_command(vendor: Vendor) -> list[str]:
    """Writes the vendor's CSD where `vendor` says, unless it is there already."""
    return [str(BIN / "pac-simulator-make-csd"), "--rfc", vendor.rfc, "--name", vendor.name,
            "--password", vendor.key_password, "--out", str(vendor.certificate_path.parent)]


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    health_url: str | None = None
    popen: subprocess.Popen | None = None


def web(module: str) -> list[str]:
    return [str(BIN / "gunicorn"), "-c", f"python:{module}.gunicorn_conf", f"{module}:create_app()"]


def wait_for_the_readings_in_billing(var: Path, period: str, stalled_after: float = 60.0) -> str:
    """Wait until billing has booked every counter servicedesk accepted in `period` (one usage row
    each, through the relay, RabbitMQ and billing's consumer); fail only if that stops advancing."""
    def count(database: str, query: str) -> int:
        with closing(sqlite3.connect(var / database)) as connection:
            return connection.execute(query, (period,)).fetchone()[0]

    accepted = count("servicedesk.db", "SELECT count(*) FROM meter_readings WHERE strftime('%Y-%m', read_on) = ?")
    booked, progress_at = -1, time.monotonic()
    while (now_booked := count("billing.db", "SELECT count(*) FROM meter_usage WHERE period = ?")) < accepted:
        if now_booked != booked:
            booked, progress_at = now_booked, time.monotonic()
        elif time.monotonic() - progress_at > stalled_after:
            raise RuntimeError(f"billing stopped booking {period}'s meter readings at {booked} of {accepted}")
        time.sleep(0.5)
    return f"Billing has the {accepted} counter readings of {period}."


def plan(var: Path, amqp_url: str) -> tuple[list[tuple[str, dict[str, str]]], list[Process]]:
    """The migrations to run and the processes to start, in start order."""
    services = {
        "identity": ("identity_service", 8001),
        "billing": ("billing_service", 8002),
        "payment": ("payment_service", 8003),
        "servicedesk": ("servicedesk_service", 8004),
    }
    common = {
        "VAR_DIR": str(var),
        "AMQP_URL": amqp_url,
        "SMTP_URL": "smtp://127.0.0.1:1025",
        "JWKS_URL": "http://127.0.0.1:8001/.well-known/jwks.json",
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # IDENTITY_URL, BILLING_URL, ...: the gateway routes to them, and servicedesk's staff
        # overview reads identity, billing and payment with the agent's token.
        **{f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, (_, port) in services.items()},
    }
    migrations: list[tuple[str, dict[str, str]]] = []
    processes = [
        Process(
            "mailsink",
            [sys.executable, str(ROOT / "deploy/mailsink/mailsink.py"), "--smtp-port", "1025", "--http-port", "8025"],
            health_url="http://127.0.0.1:8025/healthz",
        )
    ]
    envs = {
        name: {**common, "DATABASE_URL": f"sqlite:///{var / (name + '.db')}", "PORT": str(port)}
        for name, (_, port) in services.items()
    }
    vendor = demo_vendor(var)
    envs["billing"].update({"VENDOR_RFC": vendor.rfc, "VENDOR_NAME": vendor.name,
                            "PAC_URL": f"http://127.0.0.1:{PAC_PORT}", "PAC_USER": PAC_USER, "PAC_PASSWORD": PAC_PASSWORD})
    migrations.extend(envs.items())
    # Consumers first: their queues must be bound before the relays publish what they subscribe to.
    for name in services:
        processes.append(Process(f"{name}-consumer", [str(BIN / f"{name}-consumer")], envs[name]))
    # The revocations identity announces, into the Redis the gateway's workers read them from.
    processes.append(Process("gateway-revocations", [str(BIN / "portal-gateway-revocations")], common))
    for name, (module, port) in services.items():
        processes.append(Process(f"{name}-web", web(module), envs[name], f"http://127.0.0.1:{port}/healthz"))
        processes.append(Process(f"{name}-relay", [str(BIN / f"{name}-relay")], envs[name]))
        if name in ("identity", "payment", "servicedesk"):
            processes.append(Process(f"{name}-mailer", [str(BIN / f"{name}-mailer")], envs[name]))
    processes.append(Process("payment-reconcile", [str(BIN / "payment-reconcile")], envs["payment"]))
    # The PAC that stamps the payment receipts (REP) billing-stamper seals with the vendor's CSD;
    # its stamps are kept in var/pac-simulator.db.
    processes.append(
        Process("pac-simulator", [str(BIN / "pac-simulator"), "--port", str(PAC_PORT)],
                {**common, "PAC_USER": PAC_USER, "PAC_PASSWORD": PAC_PASSWORD},
                f"http://127.0.0.1:{PAC_PORT}/healthz")
    )
    processes.append(
        Process("billing-stamper", [str(BIN / "billing-stamper")],
                {**envs["billing"], "CSD_CERTIFICATE_PATH": str(vendor.certificate_path),
                 "CSD_KEY_PATH": str(vendor.key_path), "CSD_KEY_PASSWORD": vendor.key_password})
    )
    # The banks' hosted pages and server APIs, played by the simulators (DESIGN §4).
    for bank, port in (("citibanamex", 8101), ("bbva", 8102)):
        processes.append(
            Process(f"bank-{bank}", [str(BIN / "bank-simulator"), bank, "--port", str(port)], common,
                    f"http://127.0.0.1:{port}/healthz")
        )
    processes.append(
        Process(
            "gateway",
            web("portal_gateway"),
            {**common, "PORT": "8000"},
            "http://127.0.0.1:8000/healthz",
        )
    )
    return migrations, processes


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_healthy(process: Process, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.popen and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}; see var/log/{process.name}.log")
        try:
            with urllib.request.urlopen(process.health_url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not answer {process.health_url} in time; see var/log/{process.name}.log")


class Supervisor:
    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.running: list[Process] = []

    def start(self, process: Process) -> None:
        log = open(self.log_dir / f"{process.name}.log", "ab")
        process.popen = subprocess.Popen(
            process.command,
            env={**os.environ, **process.env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the runner only; it stops the others in order.
        )
        self.running.append(process)

    def stop_all(self) -> None:
        # Each process leads a group of its own (start_new_session): gunicorn's workers are in
        # their master's. The whole group is asked to stop, and whatever of it is left after the
        # grace period is killed, so no worker outlives a master that was stopped mid-boot.
        for process in reversed(self.running):
            if process.popen and process.popen.poll() is None:
                _signal_group(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in reversed(self.running):
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  {process.name} did not stop in time; killing it")
                process.popen.kill()
                process.popen.wait()
            _signal_group(process.popen.pid, signal.SIGKILL)

    def first_exited(self) -> Process | None:
        return next((p for p in self.running if p.popen and p.popen.poll() is not None), None)


def _signal_group(leader: int, signum: int) -> None:
    try:
        os.killpg(leader, signum)
    except (ProcessLookupError, PermissionError):
        pass  # the group is gone already


class StopRequested(Exception):
    """A stop signal arrived: unwinds whatever the runner was doing to the place that stops all."""


def _detach_from_terminal(log_path: Path) -> None:
    """After SIGHUP the terminal is gone and writing to it fails: what is still said goes to a file."""
    target = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    os.dup2(target, 1)
    os.dup2(target, 2)
    os.close(target)


def run_checked(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise RuntimeError(f"{what} failed (exit {result.returncode})")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description="Start the portal locally with demo data.")
    parser.add_argument("--var", default=str(ROOT / "var"), help="where the SQLite files, keys and logs go")
    args = parser.parse_args()
    var = Path(args.var).resolve()
    log_dir = var / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")

    # RabbitMQ carries the events; the gateway keeps the browser sessions in Redis (REDIS_URL,
    # passed on to it as it is).
    servers = (
        ("RabbitMQ", amqp_url, 5672, "rabbitmq-server -detached   (as root)", "rabbitmq:3.13-alpine", "AMQP_URL"),
        ("Redis", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 6379, "redis-server --daemonize yes",
         "redis:7-bookworm", "REDIS_URL"),
    )
    for name, url, port, command, image, variable in servers:
        if not reachable(url, port):
            print(
                f"{name} is not reachable at {url}.\n"
                f"Start it first, for example:  {command}\n"
                f"  or:  docker run -d -p {port}:{port} {image}\n"
                f"or point {variable} at a running {name}.",
                file=sys.stderr,
            )
            return 1
    busy = [port for port in (8000, 8001, 8002, 8003, 8004, 8101, 8102, PAC_PORT, 1025, 8025) if not port_free(port)]
    if busy:
        print(f"Ports already in use: {busy}. Is the portal already running? Stop it first.", file=sys.stderr)
        return 1

    migrations, processes = plan(var, amqp_url)
    for name, env in migrations:
        print(f"Migrating {name}-service")
        run_checked([str(BIN / f"{name}-migrate")], env, f"{name} migration")
    # Before billing-stamper starts: it refuses to start without the vendor's CSD.
    print(run_checked(make_demo_csd_command(demo_vendor(var)), {}, "making the demo vendor's CSD").strip())

    supervisor = Supervisor(log_dir)
    stopping = False

    def _stop(signum, _frame):
        nonlocal stopping
        if signum == signal.SIGHUP:
            _detach_from_terminal(log_dir / "runner.log")
        if not stopping:  # a second signal while stopping changes nothing
            stopping = True
            raise StopRequested(signal.Signals(signum).name)

    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _stop)
    return_code = 1
    try:
        for process in processes:
            supervisor.start(process)
        deadline = time.monotonic() + 60
        for process in processes:
            if process.health_url:
                wait_healthy(process, deadline)
        identity_env = next(env for name, env in migrations if name == "identity")
        print(run_checked([str(BIN / "identity-seed-demo")], identity_env, "seeding demo data"))
        print(demo_billing.seed("http://127.0.0.1:8000", "operador@proveedor-demo.mx",
                                identity_env.get("DEMO_PASSWORD", os.environ.get("DEMO_PASSWORD", "Portal-Demo-2026")),
                                vendor=demo_vendor(var), pac=Pac(f"http://127.0.0.1:{PAC_PORT}", PAC_USER, PAC_PASSWORD)))
        print(demo_servicedesk.seed("http://127.0.0.1:8000", "operador@proveedor-demo.mx",
                                    identity_env.get("DEMO_PASSWORD", os.environ.get("DEMO_PASSWORD", "Portal-Demo-2026"))))
        # The month's statement lists the month's meter usage: state it once billing has every reading.
        print(wait_for_the_readings_in_billing(var, demo_billing.last_month()))
        print(demo_billing.publish_statements("http://127.0.0.1:8000", "operador@proveedor-demo.mx",
                                              identity_env.get("DEMO_PASSWORD",
                                                               os.environ.get("DEMO_PASSWORD", "Portal-Demo-2026"))))
        print(demo_knowledge.seed("http://127.0.0.1:8000", "operador@proveedor-demo.mx",
                                  identity_env.get("DEMO_PASSWORD", os.environ.get("DEMO_PASSWORD", "Portal-Demo-2026"))))
        print(
            "\nThe portal is running:  http://127.0.0.1:8000/\n"
            "Mail sent by the portal: http://127.0.0.1:8025/\n"
            f"Logs: {log_dir}/\nPress Ctrl-C to stop everything.\n",
            flush=True,
        )
        while True:
            exited = supervisor.first_exited()
            if exited is not None:
                print(f"{exited.name} stopped unexpectedly (exit {exited.popen.returncode}); see {log_dir / exited.name}.log")
                break
            time.sleep(0.5)
    except StopRequested:
        return_code = 0
    except RuntimeError as exc:
        print(f"Could not start the portal: {exc}", file=sys.stderr)
        return_code = 1
    finally:
        print("Stopping every process…")
        supervisor.stop_all()
        print("Stopped.")
    return return_code


if __name__ == "__main__":
    sys.exit(main())
