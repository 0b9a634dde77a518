"""A day's mix of portal traffic through the gateway, against a portal this script starts.

    .venv/bin/python bench/day_mix.py [--duration 60] [--users 8] [--max-actions 6000]

It starts every real process with tests/stack.py's start_stack (gunicorn web tiers, relays,
consumers, mailers, reconciliation, both bank simulators and the gateway, on a PostgreSQL
database per service and an exchange and queues of its own on RabbitMQ, all on 127.0.0.1 and
free ports), because that is the same isolated PostgreSQL + RabbitMQ stack the cross-service
suites run; deploy/run's runner serves the demo on SQLite files and fixed ports. The relays and
consumers reach the broker directly here: the suite's TCP proxy (there to cut the broker off in
tests) would add a hop in this process to every message.

Set-up (not measured): customers registered and activated through the operator's API, open
invoices, devices, knowledge articles, and one customer with --big-invoices invoices for the
heavy route. Then three measured phases:

  1. the mix: --users simulated people, each a loop of weighted actions with --think seconds
     between them, for --duration seconds or --max-actions actions: sign in, balances, invoices,
     pay at the bank (start, approve at the BBVA simulator, which notifies the portal), payment
     history, devices, meter readings, incidents (open, list), knowledge search and articles.
     Printed per endpoint: count, requests/s, p50/p95/p99, errors;
  2. payment start -> invoice settled at billing (billing's inbox row for the payment's
     payment.confirmed), and event publish -> consumed for every event of the run (the producer's
     outbox created_at -> the consumer's inbox processed_at, split at the relay's sent_at);
  3. gateway vs direct in the same run: a light route (GET /api/v1/accounts) and a heavy one
     (GET /api/v1/balances over --big-invoices invoices) with bench/loadgen.py, --concurrency
     keep-alive connections, the same token on the gateway and on billing's web tier.
The resident memory (VmRSS from /proc) of every process of the stack, gunicorn workers
included, is sampled during all phases and its maximum printed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import loadgen  # noqa: E402
import stack as stack_module  # noqa: E402
from stack import DEMO_PASSWORD, random_rfc, start_stack, wait_until  # noqa: E402

MEXICO = ZoneInfo("America/Mexico_City")
TODAY_RATE = "17.5000"
ARTICLES = [
    ("Cambiar el tóner", "Abra la puerta frontal, retire el cartucho vacío y coloque el nuevo.", ["toner"]),
    ("Atasco de papel en la bandeja 2", "Retire la bandeja, quite el papel atascado y vuelva a colocarla.", ["papel"]),
    ("Replace the toner cartridge", "Open the front door, remove the empty cartridge and insert the new one.", ["toner"]),
    ("Clearing a paper jam", "Pull out tray 2, remove the jammed sheets and push the tray back.", ["paper"]),
    ("Configurar escaneo a correo", "En Ajustes, elija Escanear y enviar, y registre el servidor SMTP.", ["escaneo"]),
    ("Lecturas de contador", "Las lecturas se envían una vez al día desde Equipos.", ["contador"]),
]
SEARCHES = ["tóner", "toner", "papel atascado", "paper jam", "escaneo correo", "contador"]


class _DirectBroker:
    """Stands in for the suite's TcpProxy: the processes get the broker's own port."""

    def __init__(self, host: str, port: int, **_kwargs):
        self.port = port

    def start(self):
        return self

    def stop(self) -> None:
        pass


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def figures(values_ms: list[float]) -> str:
    return f"p50 {pct(values_ms, 50):7.1f}  p95 {pct(values_ms, 95):7.1f}  p99 {pct(values_ms, 99):7.1f} ms"


# --- resident memory ------------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler(threading.Thread):
    """Every second: VmRSS of each stack process and of each of its children (gunicorn workers)."""

    def __init__(self, procs: dict):
        super().__init__(daemon=True)
        self.procs = procs
        self.peak: dict[str, int] = {}
        self._stop = threading.Event()

    def sample(self) -> None:
        for name, proc in self.procs.items():
            pid = proc.popen.pid
            kinds = [(name if not _children(pid) else f"{name} (master)", pid)]
            kinds += [(f"{name} (worker)", child) for child in _children(pid)]
            for label, process_id in kinds:
                rss = _rss_kib(process_id)
                if rss is not None:
                    self.peak[label] = max(self.peak.get(label, 0), rss)

    def run(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()

    def stop(self) -> None:
        self._stop.set()


# --- the people and their data ---------------------------------------------------------------

class Client:
    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.token = token
        self.http = requests.Session()

    def call(self, method: str, path: str, *, token: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def login(self, username: str, password: str) -> str:
        answer = self.call("POST", "/api/v1/auth/login", json={"username": username, "password": password})
        answer.raise_for_status()
        return answer.json()["access_token"]


class Company:
    def __init__(self, customer: dict, email: str, password: str, token: str):
        self.customer, self.email, self.password, self.token = customer, email, password, token
        self.account = customer["account_numbers"][0]
        self.invoices: list[dict] = []     # open, not yet taken by a payment of this run
        self.devices: list[dict] = []
        self.unread_devices: list[str] = []  # a device takes one reading a day
        self.lock = threading.Lock()


def register_company(gateway: str, operator: Client, invoices: int, devices: int) -> Company:
    suffix = uuid.uuid4().int % 10**8
    rfc = random_rfc()
    body = {"rfc": rfc, "name": f"Cliente de carga {suffix}", "system_account_number": f"SD{suffix:08d}",
            "account_numbers": [f"D{suffix:08d}"]}
    created = operator.call("POST", "/api/v1/customers", json=body)
    created.raise_for_status()
    customer = {**body, **created.json()}
    client = Client(gateway)
    activation = client.login(rfc, rfc)
    email, password = f"carga.{suffix}@example.com", f"Carga-{uuid.uuid4().hex[:10]}"
    first = client.call("POST", "/api/v1/auth/first-login", token=activation,
                        json={"email": email, "new_password": password})
    first.raise_for_status()
    company = Company(customer, email, password, first.json()["access_token"])
    today = datetime.now(MEXICO).date()
    rows = [{"invoice_number": f"{company.account}-{n:05d}", "account_number": company.account,
             "issue_date": (today - timedelta(days=n % 60)).isoformat(),
             "due_date": (today - timedelta(days=n % 60) + timedelta(days=30)).isoformat(),
             "currency": "USD" if n % 4 == 0 else "MXN", "amount": f"{100 + n % 900}.{n % 100:02d}"}
            for n in range(invoices)]
    for offset in range(0, len(rows), 5000):
        chunk = rows[offset:offset + 5000]
        wait_until(lambda c=chunk: operator.call("POST", "/api/v1/invoices/import", json={"invoices": c}).status_code == 200,
                   timeout=60, what="invoice import once billing knows the account")
    for _ in range(devices):
        device = {"serial_number": f"SN{uuid.uuid4().hex[:12].upper()}", "model": "imageRUNNER ADVANCE DX C5850i",
                  "customer_id": customer["id"], "account_number": company.account,
                  "install_address": "Blvd. Manuel Ávila Camacho 138, CDMX", "location": "Piso 3",
                  "response_hours": 8, "counters": ["bn", "color"]}
        made = wait_until(lambda d=device: (r := operator.call("POST", "/api/v1/devices", json=d)).status_code == 201 and r,
                          timeout=60, what="servicedesk to register a device")
        company.devices.append(made.json())
    company.unread_devices = [d["id"] for d in company.devices]
    return company


def open_invoices(client: Client, company: Company) -> list[dict]:
    found, page = [], 1
    while True:
        answer = client.call("GET", "/api/v1/invoices", token=company.token,
                             params={"status": "open", "page_size": 100, "page": page})
        answer.raise_for_status()
        items = answer.json()["items"]
        found += items
        if len(items) < 100:
            return found
        page += 1


# --- the mix ---------------------------------------------------------------------------------

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: dict[str, str] = {}
        self.payments: list[tuple[str, float]] = []  # (payment id, wall-clock start)

    def timed(self, name: str, call, ok=(200,)):
        started = time.perf_counter()
        try:
            answer = call()
            good = answer.status_code in ok
        except requests.RequestException as exc:
            answer, good = None, False
            self.error_samples.setdefault(name, repr(exc)[:200])
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if good:
                self.latencies[name].append(elapsed)
            else:
                self.errors[name] += 1
                if answer is not None:
                    self.error_samples.setdefault(name, f"{answer.status_code} {answer.text[:200]}")
        return answer if good else None


def person(gateway: str, company: Company, articles: list[str], recorder: Recorder, deadline: float,
           budget: "Budget", think: float, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(gateway, company.token)
    bank = requests.Session()
    actions = [
        ("sign in", 5), ("balances", 18), ("invoices", 8), ("invoice", 5), ("pay", 8), ("payment history", 5),
        ("devices", 8), ("meter reading", 4), ("meter history", 4), ("incident open", 3), ("incidents", 6),
        ("knowledge search", 16), ("knowledge article", 6), ("me", 4),
    ]
    names, weights = zip(*actions)
    while time.monotonic() < deadline and budget.take():
        action = rng.choices(names, weights)[0]
        if action == "sign in":
            answer = recorder.timed("POST /auth/login", lambda: client.call(
                "POST", "/api/v1/auth/login", token=None, json={"username": company.email, "password": company.password}))
            if answer is not None:
                client.token = answer.json()["access_token"]
        elif action == "balances":
            recorder.timed("GET /balances", lambda: client.call("GET", "/api/v1/balances", params={"page_size": 50}))
        elif action == "invoices":
            recorder.timed("GET /invoices", lambda: client.call("GET", "/api/v1/invoices", params={"status": "open"}))
        elif action == "invoice":
            with company.lock:
                target = rng.choice(company.invoices) if company.invoices else None
            if target:
                recorder.timed("GET /invoices/{id}", lambda: client.call("GET", f"/api/v1/invoices/{target['id']}"))
        elif action == "pay":
            with company.lock:
                target = company.invoices.pop() if company.invoices else None
            if target is None:
                continue
            wall = time.time()
            answer = recorder.timed("POST /payments", lambda: client.call(
                "POST", "/api/v1/payments", headers={"Idempotency-Key": uuid.uuid4().hex},
                json={"bank": "bbva", "items": [{"invoice_id": target["id"], "amount": target["pending_amount"]}]}),
                ok=(201,))
            if answer is None:
                continue
            paid = answer.json()
            approved = recorder.timed("POST bank page (approve + notify)", lambda: bank.post(
                paid["redirect_url"], data={"outcome": "approve", "email": "carga@example.com", "phone": "5512345678"},
                allow_redirects=False, timeout=30), ok=(302, 303))
            if approved is not None:
                with recorder.lock:
                    recorder.payments.append((paid["id"], wall))
        elif action == "payment history":
            recorder.timed("GET /payments", lambda: client.call("GET", "/api/v1/payments"))
        elif action == "devices":
            recorder.timed("GET /devices", lambda: client.call("GET", "/api/v1/devices"))
        elif action == "meter reading":
            with company.lock:
                device_id = company.unread_devices.pop() if company.unread_devices else None
            if device_id:
                recorder.timed("POST /devices/{id}/meter-readings", lambda: client.call(
                    "POST", f"/api/v1/devices/{device_id}/meter-readings",
                    json={"counters": {"bn": rng.randint(1000, 90000), "color": rng.randint(100, 9000)}}),
                    ok=(201,))
        elif action == "meter history":
            device = rng.choice(company.devices)
            recorder.timed("GET /devices/{id}/meter-readings",
                           lambda: client.call("GET", f"/api/v1/devices/{device['id']}/meter-readings"))
        elif action == "incident open":
            device = rng.choice(company.devices)
            recorder.timed("POST /incidents", lambda: client.call("POST", "/api/v1/incidents", json={
                "device_id": device["id"], "category": "paper_jam", "description": "Atasca papel en la bandeja 2.",
                "contact": {"name": "Laura Contacto", "phone": "5555123456", "email": "laura@example.com"}}),
                ok=(201,))
        elif action == "incidents":
            recorder.timed("GET /incidents", lambda: client.call("GET", "/api/v1/incidents"))
        elif action == "knowledge search":
            query = rng.choice(SEARCHES)
            recorder.timed("GET /knowledge?q=", lambda: client.call("GET", "/api/v1/knowledge", params={"q": query}))
        elif action == "knowledge article":
            article = rng.choice(articles)
            recorder.timed("GET /knowledge/{id}", lambda: client.call("GET", f"/api/v1/knowledge/{article}"))
        elif action == "me":
            recorder.timed("GET /me", lambda: client.call("GET", "/api/v1/me"))
        if think:
            time.sleep(rng.uniform(0, 2 * think))


class Budget:
    def __init__(self, count: int):
        self.left = count
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


# --- what the databases recorded ---------------------------------------------------------------

def event_latencies(stack, since: datetime) -> dict:
    """Outbox row (producer) joined with inbox rows (consumers) by event id."""
    import sqlalchemy as sa

    produced = {}
    for service in ("identity", "billing", "payment", "servicedesk"):
        with stack.db(service).connect() as connection:
            for message_id, topic, created, sent, payload in connection.execute(sa.text(
                    "SELECT message_id, topic, created_at, sent_at, payload FROM outbox "
                    "WHERE channel = 'events' AND created_at >= :since"), {"since": since}):
                produced[message_id] = (service, topic, created, sent, payload)
    consumed = defaultdict(list)
    for service in ("billing", "payment", "servicedesk"):
        with stack.db(service).connect() as connection:
            for event_id, processed in connection.execute(sa.text(
                    "SELECT event_id, processed_at FROM inbox WHERE processed_at >= :since"), {"since": since}):
                consumed[event_id].append((service, processed))
    return {"produced": produced, "consumed": consumed}


def report_events(recorded: dict) -> None:
    total, relay, delivery, by_topic = [], [], [], defaultdict(list)
    for message_id, (service, topic, created, sent, _payload) in recorded["produced"].items():
        for consumer, processed in recorded["consumed"].get(message_id, []):
            end_to_end = (processed - created).total_seconds() * 1000
            total.append(end_to_end)
            by_topic[topic.rsplit(".", 1)[0]].append(end_to_end)
            if sent is not None:
                relay.append((sent - created).total_seconds() * 1000)
                delivery.append((processed - sent).total_seconds() * 1000)
    print(f"\nevent publish -> consumed ({len(total)} deliveries of {len(recorded['produced'])} events; "
          f"outbox created_at -> inbox processed_at):")
    print(f"  all                       {figures(total)}   target p99 <= 50 ms: "
          f"{'met' if total and pct(total, 99) <= 50 else 'MISSED'}")
    print(f"  outbox -> relay sent      {figures(relay)}")
    print(f"  relay sent -> consumed    {figures(delivery)}   (sent_at is stamped after the broker's confirm)")
    for topic, values in sorted(by_topic.items()):
        print(f"  {topic:<36} n={len(values):<5} {figures(values)}")


def report_settles(stack, recorder: Recorder, recorded: dict, timeout: float) -> None:
    """Start -> billing's inbox row of the payment's payment.confirmed (the invoice paid)."""
    confirmed = {}
    for message_id, (service, topic, _created, _sent, payload) in recorded["produced"].items():
        if service == "payment" and topic.startswith("payment.confirmed."):
            confirmed[json.loads(payload)["data"]["payment_id"]] = message_id
    latencies, missing = [], 0
    for payment_id, started in recorder.payments:
        message_id = confirmed.get(payment_id)
        settled = [p for service, p in recorded["consumed"].get(message_id, []) if service == "billing"]
        if not settled:
            missing += 1
            continue
        latencies.append((settled[0].timestamp() - started) * 1000)
    print(f"\npayment start -> invoice settled at billing ({len(latencies)} payments, {missing} not settled "
          f"within {timeout:.0f} s):")
    print(f"  {figures(latencies)}   target p99 <= 250 ms: "
          f"{'met' if latencies and pct(latencies, 99) <= 250 and not missing else 'MISSED'}")


def wait_settled(stack, recorder: Recorder, timeout: float) -> None:
    ids = [payment_id for payment_id, _ in recorder.payments]
    if not ids:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = stack.scalar("billing", "SELECT count(DISTINCT payment_id) FROM payment_applications "
                            "WHERE state = 'applied' AND payment_id = ANY(CAST(:ids AS uuid[]))", ids=ids)
        if done >= len(ids):
            return
        time.sleep(0.2)


# --- gateway vs direct ------------------------------------------------------------------------

def ratio_phase(stack, token: str, args) -> None:
    gateway_port = int(stack.gateway_url.rsplit(":", 1)[1])
    billing_port = int(stack.service_urls["billing"].rsplit(":", 1)[1])
    headers = {"Authorization": f"Bearer {token}"}
    print(f"\ngateway vs direct (billing's web tier, same token; {args.concurrency} connections, "
          f"{args.ratio_duration:.0f} s per phase x {args.rounds} rounds; load average {load_average()}):")
    print(f"  {'route':<44} {'via':<8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for label, path in (("light GET /api/v1/accounts", "/api/v1/accounts"),
                        (f"heavy GET /api/v1/balances ({args.big_invoices} open)", "/api/v1/balances?page_size=50")):
        totals = {"direct": loadgen.Result(), "gateway": loadgen.Result()}
        for _round in range(args.rounds):
            for via, port in (("direct", billing_port), ("gateway", gateway_port)):
                loadgen.run("127.0.0.1", port, path, headers=headers, concurrency=args.concurrency, duration=1.0,
                            max_requests=2000)
                result = loadgen.run("127.0.0.1", port, path, headers=headers, concurrency=args.concurrency,
                                     duration=args.ratio_duration, max_requests=args.ratio_max_requests)
                total = totals[via]
                total.requests += result.requests
                total.errors += result.errors
                total.elapsed += result.elapsed
                total.latencies += result.latencies
        for via, total in totals.items():
            print(f"  {label:<44} {via:<8} {total.rate:>7.0f} {total.percentile(0.5) * 1000:>7.1f} "
                  f"{total.percentile(0.99) * 1000:>7.1f} {total.errors:>6}")
        direct, gateway = totals["direct"], totals["gateway"]
        ratio = gateway.rate / direct.rate if direct.rate else 0.0
        added = (gateway.percentile(0.99) - direct.percentile(0.99)) * 1000
        print(f"  {label:<44} ratio {ratio:.2f}x; p99 added by the gateway {added:.1f} ms")


# --- main -------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the mix")
    parser.add_argument("--max-actions", type=int, default=6000, help="actions of the mix, at most")
    parser.add_argument("--users", type=int, default=8, help="simulated people at once")
    parser.add_argument("--companies", type=int, default=4)
    parser.add_argument("--invoices", type=int, default=80, help="open invoices per company")
    parser.add_argument("--devices", type=int, default=15, help="devices per company")
    parser.add_argument("--big-invoices", type=int, default=3000, help="open invoices of the heavy route's customer")
    parser.add_argument("--think", type=float, default=0.05, help="mean seconds between a person's actions")
    parser.add_argument("--concurrency", type=int, default=16, help="connections of the gateway/direct phase")
    parser.add_argument("--ratio-duration", type=float, default=8.0)
    parser.add_argument("--ratio-max-requests", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settle-timeout", type=float, default=30.0)
    parser.add_argument("--keep-logs", action="store_true", help="print where the processes' logs are")
    args = parser.parse_args()
    if args.duration > 600 or args.max_actions > 100_000 or args.users > 64:
        parser.error("the run is bounded: --duration <= 600, --max-actions <= 100000, --users <= 64")

    # The servers on this machine the suites use; the run makes its own databases and queues on them.
    os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    os.environ.setdefault("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    for variable in ("DATABASE_URL", "AMQP_URL"):
        if "127.0.0.1" not in os.environ[variable] and "localhost" not in os.environ[variable]:
            parser.error(f"{variable} must name a server on 127.0.0.1")
    stack_module.TcpProxy = _DirectBroker
    log_dir = Path(tempfile.mkdtemp(prefix="day-mix-"))
    with ExitStack() as resources:
        started = time.perf_counter()
        stack = start_stack(resources, log_dir)
        print(f"stack up in {time.perf_counter() - started:.0f} s ({len(stack.procs)} processes; "
              f"cores {os.cpu_count()}; load average {load_average()})")
        sampler = RssSampler(stack.procs)
        operator = Client(stack.gateway_url)
        operator.token = operator.login("operador@proveedor-demo.mx", DEMO_PASSWORD)
        today = datetime.now(MEXICO).date()
        operator.call("POST", "/api/v1/exchange-rates",
                      json={"rates": [{"date": today.isoformat(), "rate": TODAY_RATE}]}).raise_for_status()
        articles = []
        for title, body, tags in ARTICLES:
            made = operator.call("POST", "/api/v1/knowledge", json={"title": title, "body": body, "tags": tags,
                                                                    "models": ["imageRUNNER ADVANCE DX C5850i"]})
            made.raise_for_status()
            articles.append(made.json()["id"])
        with ThreadPoolExecutor(max_workers=args.companies + 1) as pool:
            futures = [pool.submit(register_company, stack.gateway_url, operator, args.invoices, args.devices)
                       for _ in range(args.companies)]
            big_future = pool.submit(register_company, stack.gateway_url, operator, args.big_invoices, 1)
            companies = [f.result() for f in futures]
            big = big_future.result()
        reader = Client(stack.gateway_url)
        for company in companies:
            company.invoices = open_invoices(reader, company)
            ids = [i["id"] for i in company.invoices]
            wait_until(lambda i=ids: stack.scalar(
                "payment", "SELECT count(*) FROM payable_invoices WHERE invoice_id = ANY(CAST(:ids AS uuid[]))", ids=i)
                == len(i), timeout=120, what="payment's copy of the invoices")
        # Everything the set-up announced is consumed before the measured window opens.
        wait_until(lambda: all(stack.scalar(s, "SELECT count(*) FROM outbox WHERE sent_at IS NULL "
                                              "AND channel = 'events' AND attempts = 0") == 0
                               for s in ("identity", "billing", "payment", "servicedesk"))
                   and all(stack.queue_depth(f"{stack.queue_prefix}{s}-service") == 0
                           for s in ("billing", "payment", "servicedesk")),
                   timeout=180, interval=0.5, what="the set-up's events to be sent and consumed")
        time.sleep(1.0)
        print(f"set-up done in {time.perf_counter() - started:.0f} s: {args.companies} companies x "
              f"{args.invoices} invoices x {args.devices} devices, one with {args.big_invoices} invoices; "
              f"{len(articles)} articles")

        sampler.start()
        recorder, budget = Recorder(), Budget(args.max_actions)
        since = datetime.now(timezone.utc)
        load_before = load_average()
        mix_started = time.perf_counter()
        deadline = time.monotonic() + args.duration
        with ThreadPoolExecutor(max_workers=args.users) as pool:
            for n in range(args.users):
                pool.submit(person, stack.gateway_url, companies[n % len(companies)], articles, recorder, deadline,
                            budget, args.think, n)
        elapsed = time.perf_counter() - mix_started
        count = sum(len(v) for v in recorder.latencies.values())
        errors = sum(recorder.errors.values())
        print(f"\nthe mix: {args.users} people, {elapsed:.1f} s, {count} requests ok = {count / elapsed:.1f} req/s, "
              f"{errors} errors; load average {load_before} -> {load_average()}")
        print(f"  {'endpoint (through the gateway)':<36} {'count':>6} {'req/s':>6}   latency")
        for name in sorted(recorder.latencies, key=lambda n: -len(recorder.latencies[n])):
            values = recorder.latencies[name]
            print(f"  {name:<36} {len(values):>6} {len(values) / elapsed:>6.1f}   {figures(values)}"
                  f"{'   errors ' + str(recorder.errors[name]) if recorder.errors.get(name) else ''}")
        for name, sample in recorder.error_samples.items():
            print(f"  first error of {name}: {sample}")

        wait_settled(stack, recorder, args.settle_timeout)
        time.sleep(0.5)
        recorded = event_latencies(stack, since)
        report_settles(stack, recorder, recorded, args.settle_timeout)
        report_events(recorded)

        ratio_phase(stack, big.token, args)
        sampler.stop()
        sampler.sample()
        print(f"\nresident memory, peak over the run (VmRSS; target < 150 MB per worker):")
        for label, kib in sorted(sampler.peak.items(), key=lambda item: -item[1]):
            print(f"  {label:<34} {kib / 1024:7.1f} MiB{'   OVER' if kib > 150 * 1024 else ''}")
        print(f"load average at the end {load_average()}")
        if args.keep_logs:
            print(f"logs: {log_dir}")


if __name__ == "__main__":
    main()
