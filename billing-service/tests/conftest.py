"""Fixtures: billing-service described to portal_shared.testing.fixtures (migrated database, app, client,
bearer, isolated broker, processes), billing's context and deliver through the inbox with it, and the
events and data billing receives."""
from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

import billing_service
from billing_service.adapters.orm import INBOX, OUTBOX, Base
from billing_service.api.context import EXTENSION
from billing_service.config import Config
from billing_service.domain.calendar import Period
from billing_service.entrypoints.migrate import MIGRATIONS_DIR
from billing_service.service_layer.context import BillingContext, build_context
from billing_service.service_layer.subscriptions import handlers_for
from portal_shared.contracts import Event, new_event
from portal_shared.db import transaction
from portal_shared.mexico import mexico_today
from portal_shared.testing.events import customer_registered
from portal_shared.testing.service import ServiceUnderTest, delivery_through_the_inbox, migrated_database

pytest_plugins = ["portal_shared.testing.fixtures"]

# No example database or constants cache left in the working tree, and no per-example deadline
# (examples use PostgreSQL).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "billing-service-hypothesis")
settings.register_profile("billing", database=None, deadline=None)
settings.load_profile("billing")


@pytest.fixture(scope="session")
def service_under_test() -> ServiceUnderTest:
    # Laid out as every service is, but its handlers exist only bound to a context (deliver below).
    return ServiceUnderTest(
        config_class=Config,
        create_app=billing_service.create_app,
        migrations_dir=MIGRATIONS_DIR,
        metadata=Base.metadata,
        extension_prefix="billing",
        inbox_table=INBOX,
        outbox_table=OUTBOX,
        gunicorn_conf="billing_service.gunicorn_conf",
        default_port=8002,
    )


@pytest.fixture(scope="session")
def context(session_factory) -> BillingContext:
    """Billing's context on the test database, as the processes build it; dataclasses.replace
    gives a test its own publisher or clock."""
    return build_context(Config().as_dict(), session_factory)


@pytest.fixture
def deliver(service_under_test, session_factory, context) -> Callable[[Event], bool]:
    """portal_shared's deliver, with the handlers bound to billing's context."""
    return delivery_through_the_inbox(service_under_test, session_factory, handlers_for(context))


@pytest.fixture
def registration() -> Callable[..., Event]:
    """identity.customer.registered v1 events, as identity would publish them."""
    return customer_registered


def unique_rfc() -> str:
    """A company RFC's shape from a fresh UUID: hypothesis seeds `random` per example, so
    portal_shared's random RFCs would repeat between examples."""
    digits = f"{uuid.uuid4().int % 10**6:06d}"
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in uuid.uuid4().hex[:6])
    return f"{letters[:3]}{digits}{letters[3:]}"


@pytest.fixture
def new_customer(deliver) -> Callable[[], dict]:
    """A customer billing has learnt of (two fresh accounts); returns the registration's data."""

    def make(rfc: str | None = None) -> dict:
        event = new_event(
            "identity.customer.registered",
            1,
            {
                "customer_id": uuid.uuid4(),
                "rfc": rfc or unique_rfc(),
                "name": "Comercializadora Ejemplo SA de CV",
                "system_account_number": f"SYS-{uuid.uuid4().int % 10**8:08d}",
                "account_numbers": [uuid.uuid4().hex[:12], uuid.uuid4().hex[:12]],
            },
            producer="identity-service",
            correlation_id=uuid.uuid4().hex,
        )
        assert deliver(event)
        return event.data

    return make


@pytest.fixture
def scratch(make_app, service_under_test):
    """An app on a database of this test's own, for tests writing thousands of rows: the run's
    shared database stays small, so the relay test there does not have to drain them."""
    from billing_service.service_layer.handlers import customer_registered

    with migrated_database("billing_scratch", service_under_test.migrations_dir) as url:
        app = make_app(DATABASE_URL=url)
        ctx = app.extensions[EXTENSION]

        def register(event: Event) -> dict:
            with transaction(ctx.session_factory) as session:
                customer_registered(ctx, session, event)
            return event.data

        yield app.test_client(), ctx.session_factory, register
        service_under_test.dispose(app)


class StatementLog:
    """Every SQL statement an engine runs while recorded, with the rows each one returned: how a
    test proves work is done in bulk and paged by the database, whatever the machine's speed."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self.statements: list[tuple[str, int]] = []

    def _record(self, _connection, cursor, statement, _parameters, _context, _executemany):
        self.statements.append((statement, cursor.rowcount))

    def __enter__(self) -> StatementLog:
        sa.event.listen(self.engine, "after_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc) -> None:
        sa.event.remove(self.engine, "after_cursor_execute", self._record)

    def most_rows(self, verb: str = "SELECT") -> int:
        return max((rows for statement, rows in self.statements if statement.lstrip().upper().startswith(verb)),
                   default=0)


@pytest.fixture
def statements_of():
    """statements_of(session_factory): a StatementLog of the engine behind it, used as a `with`."""
    return lambda session_factory: StatementLog(session_factory.kw["bind"])


@pytest.fixture
def customer(new_customer) -> dict:
    return new_customer()


@pytest.fixture
def operator(bearer) -> dict[str, str]:
    return bearer("operator")


def invoice_row(account_number: str, **overrides) -> dict:
    today = mexico_today()
    row = {
        "invoice_number": f"F-{uuid.uuid4().hex[:12]}",
        "account_number": account_number,
        # Issued today: never in a month whose statements a test generates, unless it says so.
        "issue_date": today.isoformat(),
        "due_date": (today + timedelta(days=20)).isoformat(),
        "currency": "MXN",
        "amount": "1000.00",
    }
    row.update(overrides)
    return row


@pytest.fixture
def row() -> Callable[..., dict]:
    return invoice_row


@pytest.fixture
def import_invoices(client, operator) -> Callable[..., list[dict]]:
    """Import rows through the API (expecting success) and return the customer's view of each."""

    def run(rows: list[dict], customer_id) -> list[dict]:
        response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)
        assert response.status_code == 200, response.json
        numbers = {r["invoice_number"] for r in rows}
        listed = client.get(
            f"/api/v1/invoices?customer_id={customer_id}&page_size=500", headers=operator
        ).json["items"]
        by_number = {item["invoice_number"]: item for item in listed if item["invoice_number"] in numbers}
        return [by_number[r["invoice_number"]] for r in rows]

    return run


def payment_event(
    kind: str,
    *,
    payment_id: uuid.UUID,
    customer_id: uuid.UUID,
    items: list[dict],
    at: datetime | None = None,
    bank_reference: str = "BC-Banamex 063197",
) -> Event:
    """payment.<kind> v1 as payment-service publishes it; items are {invoice_id, currency, amount[, rate]}."""
    at = at or datetime.now(timezone.utc)
    wire_items = []
    for item in items:
        amount = Decimal(item["amount"])
        rate = Decimal(item["rate"]) if item.get("rate") is not None else None
        amount_mxn = amount if item["currency"] == "MXN" else (amount * rate).quantize(Decimal("0.01"))
        wire_items.append({
            "invoice_id": uuid.UUID(str(item["invoice_id"])), "currency": item["currency"], "amount": amount,
            "amount_mxn": amount_mxn, "exchange_rate": rate,
        })
    data = {
        "payment_id": payment_id, "customer_id": uuid.UUID(str(customer_id)), "bank": "citibanamex",
        "reference": f"PAY-{payment_id.hex[:8]}",
        "total_mxn": sum((i["amount_mxn"] for i in wire_items), Decimal("0.00")), "items": wire_items,
    }
    if kind == "initiated":
        data["initiated_at"] = at
    elif kind == "confirmed":
        data.update(bank_reference=bank_reference, confirmed_at=at)
    else:
        data.update(reason="declined", failed_at=at)
    return new_event(f"payment.{kind}", 1, data, producer="payment-service", correlation_id=uuid.uuid4().hex)


@pytest.fixture
def payment() -> Callable[..., Event]:
    return payment_event


@pytest.fixture
def outbox_messages(session_factory) -> Callable[..., list[dict]]:
    """Outbox messages of a topic whose data matches `where` (field -> value as on the wire)."""

    def find(topic: str, **where) -> list[dict]:
        with transaction(session_factory) as session:
            payloads = session.scalars(
                sa.select(OUTBOX.c.payload).where(OUTBOX.c.topic == topic).order_by(OUTBOX.c.seq)
            ).all()
        messages = [json.loads(p) for p in payloads]
        return [m for m in messages if all(m["data"].get(k) == v for k, v in where.items())]

    return find


@pytest.fixture
def last_month() -> Period:
    """The latest month that has ended (statements are generated only for those)."""
    today = mexico_today()
    first = date(today.year, today.month, 1)
    return Period.containing(first - timedelta(days=1))


# --- CFDI 4.0 ---------------------------------------------------------------------------------
# Built and sealed with satcfdi as the vendor would issue them, with a CSD made by the PAC
# simulator for the vendor's RFC, and stamped (TimbreFiscalDigital 1.1) as the simulator does.

VENDOR_NAME = "PORTAL DEMO MEXICO"
PAC_RFC = "PSM2612079T1"


def cfdi_rfc() -> str:
    """A fresh company RFC SAT's schema takes (a real date, a check character of 0-9 or A)."""
    digits = uuid.uuid4().int
    letters = "".join(chr(ord("A") + (digits >> (5 * i)) % 26) for i in range(5))
    day = date(2000, 1, 1) + timedelta(days=digits % 9000)
    return f"{letters[:3]}{day:%y%m%d}{letters[3:]}{digits % 10}"


def _signer(pair):
    from satcfdi.models import Signer

    return Signer.load(certificate=pair.certificate_der, key=pair.key_der, password=pair.password)


@pytest.fixture(scope="session")
def csd_for():
    """csd_for(rfc, name): a CSD-like certificate and key of that taxpayer, as a satcfdi Signer."""
    from pac_simulator.certificates import make_csd

    made = {}

    def make(rfc: str, name: str):
        if rfc not in made:
            made[rfc] = _signer(make_csd(rfc, name, representative_rfc="XIQB891116QE4",
                                         representative_curp="XIQB891116MGRMZR05"))
        return made[rfc]

    return make


@pytest.fixture(scope="session")
def pac_stamper():
    from pac_simulator.certificates import make_stamping_certificate

    return _signer(make_stamping_certificate(PAC_RFC, password="stamping-key"))


@pytest.fixture(scope="session")
def cfdi(csd_for, pac_stamper) -> Callable[..., bytes]:
    """cfdi(receiver_rfc, total): a stamped CFDI 4.0 Ingreso of the vendor (Config's VENDOR_RFC)
    for that total: one concept and its IVA at 16 %, so Total is the amount; keyword arguments
    change the issuer, currency, stamp or Comprobante's own arguments."""
    from pac_simulator import stamping
    from satcfdi.create.cfd import cfdi40

    def make(receiver_rfc: str, total: str, *, currency: str = "MXN", issuer_rfc: str | None = None,
             stamped: bool = True, **changes) -> bytes:
        issuer_rfc = issuer_rfc or Config().VENDOR_RFC
        base = (Decimal(total) / Decimal("1.16")).quantize(Decimal("0.01"))
        assert base * Decimal("1.16") == Decimal(total), f"{total} is not a base plus 16 % to the cent"
        document = cfdi40.Comprobante(**{
            "emisor": cfdi40.Emisor(rfc=issuer_rfc, nombre=VENDOR_NAME, regimen_fiscal="601"),
            "lugar_expedicion": "06600",
            "receptor": cfdi40.Receptor(rfc=receiver_rfc, nombre="COMERCIALIZADORA EJEMPLO",
                                        domicilio_fiscal_receptor="86991", regimen_fiscal_receptor="601",
                                        uso_cfdi="G03"),
            "conceptos": [cfdi40.Concepto(
                clave_prod_serv="81112300", cantidad=Decimal("1"), clave_unidad="E48",
                descripcion="Renta mensual de multifuncional con tóner incluido, diciembre 2026",
                valor_unitario=base, objeto_imp="02",
                impuestos=cfdi40.Impuestos(traslados=cfdi40.Traslado(
                    impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))),
            )],
            "moneda": currency,
            **({"tipo_cambio": Decimal("17.25")} if currency != "MXN" else {}),
            "forma_pago": "99",
            "metodo_pago": "PPD",
            **changes,
        })
        document.sign(csd_for(issuer_rfc, VENDOR_NAME))
        sealed = document.xml_bytes()
        if not stamped:
            return sealed
        return stamping.stamp(stamping.read(sealed), pac_stamper, uuid=str(uuid.uuid4()).upper(),
                              at=datetime.now(timezone.utc))

    return make


@pytest.fixture
def cfdi_customer(new_customer) -> dict:
    """A customer whose RFC a CFDI's schema takes."""
    return new_customer(rfc=cfdi_rfc())
