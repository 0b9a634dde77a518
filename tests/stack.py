"""The portal as real processes for cross-service tests: gunicorn web tiers, relays, consumers,
the mail sink and the gateway, on PostgreSQL and RabbitMQ, isolated from any other run; the bank
simulators and the PAC simulator, which stamps the payment receipts billing-stamper seals with a
demo vendor's CSD.

Each run gets its own databases, its own exchange and queue names, and free ports; the relays
and consumers reach RabbitMQ through a TCP proxy the tests can cut to make the broker unreachable.
With PORTAL_STACK=external the same suites run against a portal that is already running instead
(connect_stack; docker-compose.tests.yml runs them so against the composed stack).
"""
from __future__ import annotations

import json
import os
import random
import re
import string
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse, urlunparse

import pika
import requests
import sqlalchemy as sa

from portal_shared.testing import amqp_server_url, temporary_database, unique_name
from portal_shared.testing.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SERVICES = {
    "identity": "identity_service",
    "billing": "billing_service",
    "payment": "payment_service",
    "servicedesk": "servicedesk_service",
}
BANKS = ("citibanamex", "bbva")
# The local stack's vendor (billing's default VENDOR_RFC) and its CSD, made under VAR_DIR/csd on the
# first run and kept.
VENDOR_RFC, VENDOR_NAME = "PDM010101AB1", "PORTAL DEMO MEXICO"
CSD_PASSWORD = "stack-csd-password"

# Which portal the suites run against. "local" (the default): processes this module starts for
# the run (start_stack). "external": a portal already running, e.g. the composed stack of
# docker-compose.tests.yml, found through the variables below (connect_stack). Tests that need
# the suite's own processes (to kill them, read their logs, cut the broker off through the TCP
# proxy) carry @pytest.mark.needs_processes("why") and are not run there (tests/conftest.py).
STACK_MODE = os.environ.get("PORTAL_STACK", "local")
if STACK_MODE not in ("local", "external"):
    raise RuntimeError(f"PORTAL_STACK={STACK_MODE!r}: expected 'local' (the default) or 'external'")
EXTERNAL = STACK_MODE == "external"
# Every variable the external mode reads; each must be set (STACK_QUEUE_PREFIX may be empty).
EXTERNAL_VARIABLES = {
    "STACK_GATEWAY_URL": "the gateway, as the tests' HTTP client and browser reach it",
    **{f"STACK_{name.upper()}_URL": f"{name}'s web tier, called directly" for name in SERVICES},
    **{f"STACK_{name.upper()}_DATABASE_URL": f"{name}'s database, read for assertions" for name in SERVICES},
    "STACK_AMQP_URL": "the broker the relays and consumers use",
    "STACK_EVENTS_EXCHANGE": "the stack's EVENTS_EXCHANGE",
    "STACK_QUEUE_PREFIX": "the stack's QUEUE_PREFIX (empty when it sets none)",
    "STACK_MAIL_URL": "the mail sink's HTTP API",
    **{f"STACK_{bank.upper()}_URL": f"the {bank} simulator, as payment-service names it" for bank in BANKS},
    **{f"STACK_{bank.upper()}_SECRET": f"the {bank} callback signing secret the stack uses" for bank in BANKS},
    "STACK_DEMO_PASSWORD": "the password the stack's demo users were seeded with",
}
if EXTERNAL:
    DEMO_PASSWORD = os.environ.get("STACK_DEMO_PASSWORD", "")
    BANK_SECRETS = {bank: os.environ.get(f"STACK_{bank.upper()}_SECRET", "") for bank in BANKS}
else:
    DEMO_PASSWORD = "Stack-Demo-Pass-2026"
    # The banks' signing secrets, known to the simulators and payment-service alike in this stack.
    BANK_SECRETS = {bank: f"stack-{bank}-secret" for bank in BANKS}


def random_rfc() -> str:
    """A company RFC with a valid date part that no other test uses."""
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    year, month, day = random.randint(50, 99), random.randint(1, 12), random.randint(1, 28)
    homoclave = "".join(random.choices(string.ascii_uppercase + string.digits, k=3))
    return f"{letters}{year:02d}{month:02d}{day:02d}{homoclave}"


def link_token(mail: dict, path: str) -> str:
    """The token of the first link to `path` in a mail's text."""
    match = re.search(rf"https?://\S+{re.escape(path)}\?token=[\w\-]+", mail["text"])
    assert match, f"no {path} link in mail: {mail['text']!r}"
    return parse_qs(urlparse(match.group(0)).query)["token"][0]


# The suite plays the Ingress in front of the gateway (TRUSTED_PROXY_HOPS=1 on both stacks): each
# client of the suite (an Api, a browser context, the fuzzer) names its own address in this header,
# like people on machines of their own, so the per-address sign-in lockout stays on as shipped and
# a deliberate lockout of one address leaves the rest of the suite signing in.
CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
_client_addresses = iter(random.sample(range(1, 2**17 - 1), 2**12))


def client_address() -> str:
    """An address no other client of this run uses, from the benchmarking range 198.18.0.0/15."""
    number = next(_client_addresses)
    return f"198.{18 + (number >> 16)}.{(number >> 8) & 0xFF}.{number & 0xFF}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    """Poll until predicate() is truthy; fail with `what` after the deadline (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - retried until the deadline, then reported
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f" (last error: {last_error!r})" if last_error else ""))


def wait_while_progressing(progress: Callable[[], tuple[bool, Any]], *, stall: float, interval: float = 0.25,
                           what: str = "condition"):
    """Poll progress() -> (done, measure) until done; fail only when the measure has not changed for
    `stall` seconds. A loaded machine is slow but keeps moving; a stuck one stops moving."""
    done, measure = progress()
    moved_at = time.monotonic()
    while not done:
        if time.monotonic() - moved_at > stall:
            raise AssertionError(f"no progress for {stall}s waiting for {what} (stuck at {measure!r})")
        time.sleep(interval)
        done, now = progress()
        if now != measure:
            measure, moved_at = now, time.monotonic()
    return measure


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path
    # How it was started, so a fault test can start it again after killing it.
    command: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Stack:
    gateway_url: str
    mail_url: str
    bank_urls: dict[str, str]
    service_urls: dict[str, str]
    database_urls: dict[str, str]
    amqp_url: str
    exchange: str
    queue_prefix: str
    broker_proxy: TcpProxy
    log_dir: Path
    procs: dict[str, Proc] = field(default_factory=dict)
    _engines: dict[str, sa.Engine] = field(default_factory=dict)
    # True when the portal was running already (connect_stack): no processes, logs or proxy of ours.
    external: bool = False
    # The PAC simulator billing-stamper sends the receipts to (a local stack's only).
    pac_url: str = ""

    # --- data access for assertions -------------------------------------------------------
    def db(self, service: str) -> sa.Engine:
        if service not in self._engines:
            self._engines[service] = sa.create_engine(self.database_urls[service])
        return self._engines[service]

    def scalar(self, service: str, query: str, **params):
        with self.db(service).connect() as connection:
            return connection.execute(sa.text(query), params).scalar()

    # --- mail --------------------------------------------------------------------------------
    def mail_to(self, address: str) -> list[dict]:
        return requests.get(f"{self.mail_url}/messages", params={"to": address}, timeout=5).json()

    def wait_for_mail(self, address: str, *, count: int = 1, timeout: float = 20.0) -> list[dict]:
        return wait_until(lambda: (m := self.mail_to(address)) and len(m) >= count and m,
                          timeout=timeout, what=f"{count} mail(s) to {address}")

    # --- broker ------------------------------------------------------------------------------
    def publish_raw(self, routing_key: str, body: bytes, *, message_id: str | None = None) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish(
                self.exchange, routing_key, body,
                pika.BasicProperties(content_type="application/json", delivery_mode=2, message_id=message_id),
                mandatory=True,
            )
        finally:
            connection.close()

    def queue_depth(self, queue: str) -> int:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        try:
            return connection.channel().queue_declare(queue, passive=True).method.message_count
        finally:
            connection.close()

    def log(self, name: str) -> str:
        if self.external:
            raise NotOurProcesses(f"the log of {name}")
        return self.procs[name].log_path.read_text(errors="replace")


class NotOurProcesses(RuntimeError):
    """Raised when a test reaches for the suite's own processes on an external stack: it lacks the
    needs_processes marker, so it was collected and fails saying so instead of testing nothing."""

    def __init__(self, what: str):
        super().__init__(f"{what} is only there when the suite starts the portal itself (PORTAL_STACK=local); "
                         "mark the test @pytest.mark.needs_processes(\"why\") so the external mode leaves it out")


class ExternalBrokerProxy:
    """Stands in for the TCP proxy in the external mode: the relays and consumers reach the broker
    directly, so there is nothing to cut."""

    def cut(self) -> None:
        raise NotOurProcesses("cutting the broker off")

    def restore(self) -> None:
        raise NotOurProcesses("restoring the broker")


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_http(url: str, proc: Proc, timeout: float = 40.0) -> None:
    def ready():
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited {proc.popen.returncode}:\n{proc.log_path.read_text()[-3000:]}")
        return requests.get(url, timeout=1).status_code == 200

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not answer {url}:\n{proc.log_path.read_text()[-3000:]}")


def start_stack(resources: ExitStack, log_dir: Path, *, amqp_url: str | None = None,
                database_urls: dict[str, str] | None = None) -> Stack:
    """amqp_url and database_urls (one empty database per service) name servers of the caller's
    own, e.g. ones a fault suite may stop; by default the run isolates itself on the shared ones."""
    log_dir.mkdir(parents=True, exist_ok=True)
    amqp_url = amqp_url or amqp_server_url()
    broker = urlparse(amqp_url)
    proxy = TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672)
    proxy.start()
    resources.callback(proxy.stop)
    credentials = f"{broker.username or 'guest'}:{broker.password or 'guest'}@"
    proxied_amqp = urlunparse(broker._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))

    run_id = unique_name("e2e")
    exchange, queue_prefix = f"{run_id}.events", f"{run_id}."
    if database_urls is None:
        database_urls = {name: resources.enter_context(temporary_database(f"{run_id}_{name}")) for name in SERVICES}
    ports = {name: free_port() for name in [*SERVICES, *BANKS, "pac", "gateway", "smtp", "mailhttp"]}
    service_urls = {name: f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
    common = {
        **os.environ,
        "AMQP_URL": proxied_amqp,
        "EVENTS_EXCHANGE": exchange,
        "QUEUE_PREFIX": queue_prefix,
        "RETRY_DELAYS_MS": "100,200",
        # Reconnect quickly after the tests cut the broker off; production backs off to 30 s.
        "RECONNECT_MAX_SECONDS": "2",
        "SMTP_URL": f"smtp://127.0.0.1:{ports['smtp']}",
        "JWKS_URL": f"{service_urls['identity']}/.well-known/jwks.json",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{ports['gateway']}",
        "VAR_DIR": str(log_dir / "var"),
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "WEB_CONCURRENCY": "2",
        # The gateway believes one proxy's X-Forwarded-For: the suite's (CLIENT_ADDRESS_HEADER).
        "TRUSTED_PROXY_HOPS": "1",
        # Cheaper hashing keeps the suite fast; production costs are the shipped defaults.
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8192",
        "ARGON2_PARALLELISM": "1",
        # Payments: the simulators play the banks; reconciliation looks at anything pending > 1 s.
        **{f"{bank.upper()}_URL": f"http://127.0.0.1:{ports[bank]}" for bank in BANKS},
        **{f"{bank.upper()}_SECRET": secret for bank, secret in BANK_SECRETS.items()},
        "RECONCILE_AFTER_SECONDS": "1",
        "RECONCILE_INTERVAL_SECONDS": "1",
        "LOG_LEVEL": "INFO",
        # The gateway routes to these; servicedesk's staff overview reads identity, billing and payment.
        **{f"{name.upper()}_URL": url for name, url in service_urls.items()},
        # The gateway's sessions and revocations in the machine's Redis, under this run's own keys.
        "SESSION_KEY_PREFIX": f"portal:{run_id}:session:",
        "REVOCATIONS_KEY": f"portal:{run_id}:revocations",
    }
    stack = Stack(
        gateway_url=f"http://127.0.0.1:{ports['gateway']}",
        mail_url=f"http://127.0.0.1:{ports['mailhttp']}",
        bank_urls={bank: f"http://127.0.0.1:{ports[bank]}" for bank in BANKS},
        service_urls=service_urls,
        database_urls=database_urls,
        amqp_url=amqp_url,
        exchange=exchange,
        queue_prefix=queue_prefix,
        broker_proxy=proxy,
        log_dir=log_dir,
        pac_url=f"http://127.0.0.1:{ports['pac']}",
    )

    def spawn(name: str, command: list[str], env: dict[str, str]) -> Proc:
        log_path = log_dir / f"{name}.log"
        popen = subprocess.Popen(command, env=env, cwd=ROOT, stdout=open(log_path, "wb"), stderr=subprocess.STDOUT)
        proc = Proc(name, popen, log_path, command, env)
        stack.procs[name] = proc
        return proc

    def stop_all() -> None:
        for proc in reversed(list(stack.procs.values())):
            if proc.popen.poll() is None:
                proc.popen.send_signal(signal.SIGTERM)
        for proc in stack.procs.values():
            try:
                proc.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait()
        for engine in stack._engines.values():
            engine.dispose()
        _delete_broker_objects(amqp_url, exchange, queue_prefix)

    resources.callback(stop_all)

    mailsink = spawn("mailsink", [sys.executable, str(ROOT / "deploy/mailsink/mailsink.py"),
                                  "--smtp-port", str(ports["smtp"]), "--http-port", str(ports["mailhttp"])], common)
    envs = {name: {**common, "DATABASE_URL": database_urls[name], "PORT": str(ports[name])} for name in SERVICES}
    envs["billing"].update({"VENDOR_RFC": VENDOR_RFC, "VENDOR_NAME": VENDOR_NAME, "PAC_URL": stack.pac_url,
                            "PAC_USER": "portal-demo", "PAC_PASSWORD": "dev-pac-password"})
    for name in SERVICES:
        _run([str(BIN / f"{name}-migrate")], envs[name], f"{name} migration")
    # Consumers first: their queues must be bound before the relays publish what they subscribe to.
    def with_metrics(env: dict[str, str]) -> dict[str, str]:
        # As compose and Kubernetes run them: every relay, consumer and mailer serves /metrics.
        return {**env, "METRICS_PORT": str(free_port())}

    for name in SERVICES:
        spawn(f"{name}-consumer", [str(BIN / f"{name}-consumer")], with_metrics(envs[name]))
    spawn("gateway-revocations", [str(BIN / "portal-gateway-revocations")], with_metrics(common))
    for queue in [*(f"{name}-service" for name in SERVICES), "gateway"]:
        wait_until(lambda q=queue: _queue_exists(amqp_url, f"{queue_prefix}{q}"), timeout=30, what=f"the queue {queue}")
    for name, module in SERVICES.items():
        web = spawn(f"{name}-web", [str(BIN / "gunicorn"), "-c", f"python:{module}.gunicorn_conf", f"{module}:create_app()"],
                    envs[name])
        spawn(f"{name}-relay", [str(BIN / f"{name}-relay")], with_metrics(envs[name]))
        if name in ("identity", "payment", "servicedesk"):
            spawn(f"{name}-mailer", [str(BIN / f"{name}-mailer")], with_metrics(envs[name]))
        _wait_http(f"{service_urls[name]}/healthz", web)
    spawn("payment-reconcile", [str(BIN / "payment-reconcile")], envs["payment"])
    for bank in BANKS:
        simulator = spawn(f"bank-{bank}", [str(BIN / "bank-simulator"), bank, "--port", str(ports[bank]),
                                           "--database", ":memory:"], common)
        _wait_http(f"http://127.0.0.1:{ports[bank]}/healthz", simulator)
    pac = spawn("pac-simulator", [str(BIN / "pac-simulator"), "--port", str(ports["pac"]), "--database", ":memory:"],
                {**common, "PAC_USER": "portal-demo", "PAC_PASSWORD": "dev-pac-password"})
    _wait_http(f"{stack.pac_url}/healthz", pac)
    csd = log_dir / "var" / "csd"
    _run([str(BIN / "pac-simulator-make-csd"), "--rfc", VENDOR_RFC, "--name", VENDOR_NAME, "--password", CSD_PASSWORD,
          "--out", str(csd)], common, "the vendor's CSD")
    spawn("billing-stamper", [str(BIN / "billing-stamper")],
          with_metrics({**envs["billing"], "CSD_CERTIFICATE_PATH": str(csd / "csd.cer"),
                        "CSD_KEY_PATH": str(csd / "csd.key"), "CSD_KEY_PASSWORD": CSD_PASSWORD}))
    gateway = spawn("gateway", [str(BIN / "gunicorn"), "-c", "python:portal_gateway.gunicorn_conf", "portal_gateway:create_app()"],
                    {**common, "PORT": str(ports["gateway"])})
    _wait_http(f"{stack.gateway_url}/healthz", gateway)
    _wait_http(f"{stack.mail_url}/healthz", mailsink)
    _run([str(BIN / "identity-seed-demo")], envs["identity"], "demo seed")
    return stack


def connect_stack(resources: ExitStack, log_dir: Path, environ: Mapping[str, str] = os.environ,
                  *, timeout: float | None = None) -> Stack:
    """The portal already running where the STACK_* variables say (PORTAL_STACK=external).

    Starts nothing and removes nothing: the databases, exchange and queues are the stack's own.
    Waits until every web tier, simulator, the gateway and the mail sink answer /healthz and each
    consumer's queue is declared (a consumer binds it on start), then hands the stack over."""
    from portal_shared.db.engine import normalize_url

    missing = [f"{name} ({meaning})" for name, meaning in EXTERNAL_VARIABLES.items()
               if name not in environ or (not environ[name] and name != "STACK_QUEUE_PREFIX")]
    if missing:
        raise RuntimeError("PORTAL_STACK=external needs these variables:\n  " + "\n  ".join(missing))
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(
        gateway_url=environ["STACK_GATEWAY_URL"].rstrip("/"),
        mail_url=environ["STACK_MAIL_URL"].rstrip("/"),
        bank_urls={bank: environ[f"STACK_{bank.upper()}_URL"].rstrip("/") for bank in BANKS},
        service_urls={name: environ[f"STACK_{name.upper()}_URL"].rstrip("/") for name in SERVICES},
        database_urls={name: normalize_url(environ[f"STACK_{name.upper()}_DATABASE_URL"]) for name in SERVICES},
        amqp_url=environ["STACK_AMQP_URL"],
        exchange=environ["STACK_EVENTS_EXCHANGE"],
        queue_prefix=environ["STACK_QUEUE_PREFIX"],
        broker_proxy=ExternalBrokerProxy(),  # type: ignore[arg-type]
        log_dir=log_dir,
        external=True,
    )

    def dispose() -> None:
        for engine in stack._engines.values():
            engine.dispose()

    resources.callback(dispose)
    wait = timeout if timeout is not None else float(environ.get("STACK_WAIT_SECONDS", "120"))
    bases = {"gateway": stack.gateway_url, "mail sink": stack.mail_url, **stack.service_urls,
             **{f"bank-{bank}": url for bank, url in stack.bank_urls.items()}}
    for name, base in bases.items():
        wait_until(lambda b=base: requests.get(f"{b}/healthz", timeout=2).status_code == 200, timeout=wait,
                   interval=0.5, what=f"{name} answering {base}/healthz")
    for name in SERVICES:
        wait_until(lambda n=name: _queue_exists(stack.amqp_url, f"{stack.queue_prefix}{n}-service"), timeout=wait,
                   interval=0.5, what=f"{name}-service's queue on the stack's broker")
    return stack


def _queue_exists(amqp_url: str, queue: str) -> bool:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        connection.channel().queue_declare(queue, passive=True)
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False
    finally:
        if connection.is_open:
            connection.close()


def _delete_broker_objects(amqp_url: str, exchange: str, queue_prefix: str) -> None:
    """Remove this run's queues and exchange so runs leave nothing behind on a shared broker."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        for service in ("identity-service", "billing-service", "payment-service", "servicedesk-service"):
            base = f"{queue_prefix}{service}"
            for queue in [base, f"{base}.dlq", f"{base}.retry.100ms", f"{base}.retry.200ms"]:
                channel.queue_delete(queue)
        channel.exchange_delete(exchange)
    finally:
        connection.close()


class Api:
    """A JSON client for the gateway's API, with the caller's bearer token."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.token = token
        self.http = requests.Session()
        self.address = client_address()
        self.http.headers[CLIENT_ADDRESS_HEADER] = self.address

    def request(self, method: str, path: str, *, json_body: Any = None, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        bearer = token or self.token
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        data = kwargs.pop("data", None)
        if json_body is not None:
            data = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json")
        return self.http.request(method, self.base_url + path, data=data, headers=headers, timeout=15, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, **kwargs) -> requests.Response:
        return self.request("POST", path, json_body=json_body, **kwargs)

    def login(self, username: str, password: str) -> dict:
        response = self.post("/api/v1/auth/login", {"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()


class SignedInApi(Api):
    """An Api that stays signed in for a whole run (a session fixture's): access tokens live
    minutes and a run lasts longer, so it signs in again once half its token's life is over; a
    token read from it (to call a service directly) always has minutes left."""

    def __init__(self, base_url: str, username: str, password: str):
        self.username, self.password = username, password
        self._renew_at = float("inf")
        super().__init__(base_url)
        self._sign_in()

    @property
    def token(self) -> str | None:
        if time.monotonic() >= self._renew_at:
            self._sign_in()
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value

    def _sign_in(self) -> None:
        self._renew_at = float("inf")  # the sign-in's own request must not start another
        self._token = None
        answer = self.login(self.username, self.password)
        self._token = answer["access_token"]
        self._renew_at = time.monotonic() + float(answer.get("expires_in") or 600) / 2
