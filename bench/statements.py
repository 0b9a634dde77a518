"""Monthly statements of account for many accounts, through billing's own generation path.

    .venv/bin/python bench/statements.py [--accounts 10000] [--database-url postgresql://...]

Creates a PostgreSQL database of its own on the server named by --database-url (default
DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/postgres), migrates it with
billing-migrate, fills it with --accounts billing accounts (one customer per 2 accounts, an
invoice before last month and two in it, a payment applied in the month on every third account,
meter usage on every second), then times generate_statements for last month in one transaction,
exactly as `billing-statements --period` runs it, and prints the time and statements per second.
`--profile FILE` also writes a cProfile of the generation. The database is dropped at the end.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, time as clock, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from billing_service.adapters.orm import (
    BillingAccount, Customer, Invoice, MeterUsage, PaymentApplication, Statement,
)
from billing_service.domain.calendar import Period
from billing_service.config import Config
from billing_service.service_layer.context import build_context
from billing_service.service_layer.statements import generate_statements
from portal_shared.db import make_engine, make_session_factory
from portal_shared.mexico import MEXICO_CITY, mexico_today

BIN = Path(sys.executable).parent
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def last_month() -> Period:
    first = mexico_today().replace(day=1)
    return Period.containing(first - timedelta(days=1))


def fill(engine: sa.Engine, accounts: int, period: Period) -> None:
    """Bulk rows through Core inserts: setting up is not what is measured."""
    now = datetime.now(timezone.utc)
    before = period.first_day - timedelta(days=10)
    customers, billing_accounts, invoices, applications, usage = [], [], [], [], []
    customer_id = None
    for n in range(accounts):
        if n % 2 == 0:
            customer_id = uuid.uuid4()
            customers.append({"id": customer_id, "rfc": f"BEN{n // 2:09d}"[:12], "name": f"Cliente de carga {n // 2}",
                              "system_account_number": f"SYS-{n // 2:08d}", "registered_at": now, "created_at": now})
        account_id = uuid.uuid4()
        number = f"ST{n:08d}"
        billing_accounts.append({"id": account_id, "customer_id": customer_id, "account_number": number, "opened_at": now})
        rows = [
            (before, "MXN", Decimal("1000.00")),
            (period.first_day + timedelta(days=n % 20), "MXN", Decimal(f"{250 + n % 500}.50")),
            (period.first_day + timedelta(days=(n + 5) % 25), "USD", Decimal(f"{80 + n % 50}.00")),
        ]
        ids = []
        for index, (issued, currency, amount) in enumerate(rows):
            invoice_id = uuid.uuid4()
            ids.append(invoice_id)
            invoices.append({
                "id": invoice_id, "invoice_number": f"{number}-{index}", "account_id": account_id,
                "customer_id": customer_id, "issue_date": issued, "due_date": issued + timedelta(days=30),
                "currency": currency, "amount": amount, "pending_amount": amount, "in_transit_amount": Decimal("0"),
                "status": "open", "version": 1, "created_at": now, "updated_at": now,
            })
        if n % 3 == 0:
            paid_at = datetime.combine(period.first_day + timedelta(days=12), clock(12), tzinfo=MEXICO_CITY)
            applications.append({
                "payment_id": uuid.uuid4(), "invoice_id": ids[0], "account_id": account_id, "customer_id": customer_id,
                "state": "applied", "currency": "MXN", "amount": Decimal("400.00"), "amount_mxn": Decimal("400.00"),
                "held_amount": Decimal("0"), "applied_amount": Decimal("400.00"), "reference": f"REF{n:08d}",
                "bank_reference": f"BC-Banamex {n:06d}", "applied_at": paid_at.astimezone(timezone.utc), "updated_at": now,
            })
        if n % 2 == 0:
            for counter, value in (("black", 1500 + n % 700), ("color", 300 + n % 90)):
                usage.append({
                    "reading_id": uuid.uuid4(), "customer_id": customer_id, "account_number": number,
                    "period": str(period), "device_id": uuid.uuid4(), "serial_number": f"SN{n:08d}",
                    "counter": counter, "series": 1, "value": value, "previous_value": 0, "usage": value,
                    "read_on": period.first_day + timedelta(days=15), "recorded_at": now,
                })
    with engine.begin() as connection:
        for table, rows in ((Customer, customers), (BillingAccount, billing_accounts), (Invoice, invoices),
                            (PaymentApplication, applications), (MeterUsage, usage)):
            for offset in range(0, len(rows), 5000):
                connection.execute(sa.insert(table.__table__), rows[offset:offset + 5000])
        connection.execute(sa.text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_SERVER),
                        help="a PostgreSQL server on which the benchmark creates and drops its own database")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the generation here")
    args = parser.parse_args()
    if not 1 <= args.accounts <= 100_000:
        parser.error("--accounts is bounded to 1..100000")
    server = sa.make_url(args.database_url)
    if server.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("benchmarks only use a database on this machine")

    name = f"bench_statements_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        subprocess.run([str(BIN / "billing-migrate")], env={**os.environ, "DATABASE_URL": url},
                       check=True, capture_output=True, timeout=120)
        engine = make_engine(url)
        period = last_month()
        started = time.perf_counter()
        fill(engine, args.accounts, period)
        print(f"filled {args.accounts} accounts in {time.perf_counter() - started:.1f} s "
              f"(cores {os.cpu_count()}, load average {load_average()})")

        profiler = cProfile.Profile() if args.profile else None
        load_before = load_average()
        cpu_started, started = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        result = generate_statements(build_context(Config().as_dict(), make_session_factory(engine)), period)
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        with engine.connect() as connection:
            stored = connection.scalar(sa.select(sa.func.count()).select_from(Statement).where(Statement.period == str(period)))
            size = connection.scalar(sa.select(sa.func.sum(sa.func.length(Statement.pdf))))
        print(f"statements {period}: {len(result.generated)} generated, {stored} stored, "
              f"{size / stored / 1024:.1f} KiB PDF each")
        print(f"time {elapsed:.1f} s = {len(result.generated) / elapsed:.0f} statements/s; "
              f"this process's CPU {cpu:.1f} s; load average {load_before} -> {load_average()}; target <= 60 s: "
              f"{'met' if elapsed <= 60 else 'MISSED'}")
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
