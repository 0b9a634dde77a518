"""Fixtures: CSDs made by pac_simulator.certificates, CFDI 4.0 invoices built and sealed with
satcfdi, and a simulator app (state in memory) with its contract's credentials."""
from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from satcfdi.create.cfd import cfdi40
from satcfdi.models import Signer

from pac_simulator import create_app
from pac_simulator.certificates import CsdPair, make_csd

ISSUER_RFC = "EKU9003173C9"
ISSUER_NAME = "ESCUELA KEMPER URGATE"
PAC_RFC = "PSM2612079T1"
USER, PASSWORD = "contrato-42", "secreto-del-contrato"


def signer_of(pair: CsdPair) -> Signer:
    return Signer.load(certificate=pair.certificate_der, key=pair.key_der, password=pair.password)


@pytest.fixture(scope="session")
def signer_for() -> Callable[[CsdPair], Signer]:
    return signer_of


@pytest.fixture(scope="session")
def issuer_csd() -> CsdPair:
    return make_csd(ISSUER_RFC, ISSUER_NAME, representative_rfc="XIQB891116QE4",
                    representative_curp="XIQB891116MGRMZR05")


@pytest.fixture(scope="session")
def issuer(issuer_csd) -> Signer:
    return signer_of(issuer_csd)


@pytest.fixture(scope="session")
def config() -> dict:
    return {"DATABASE": ":memory:", "TESTING": True, "PAC_USER": USER, "PAC_PASSWORD": PASSWORD,
            "PAC_RFC": PAC_RFC, "SLOW_SECONDS": 5, "SLOW_LIMIT_SECONDS": 10}


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def auth() -> dict:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/xml"}


@pytest.fixture(scope="session")
def invoice() -> Callable[..., cfdi40.Comprobante]:
    """A CFDI 4.0 Ingreso as billing will issue it: toner and service, IVA 16 %, PPD / 99;
    keyword arguments change Comprobante's."""

    def make(**changes) -> cfdi40.Comprobante:
        arguments = {
            "emisor": cfdi40.Emisor(rfc=ISSUER_RFC, nombre=ISSUER_NAME, regimen_fiscal="601"),
            "lugar_expedicion": "06600",
            "receptor": cfdi40.Receptor(
                rfc="URE180429TM6", nombre="UNIVERSIDAD ROBOTICA ESPAÑOLA",
                domicilio_fiscal_receptor="86991", regimen_fiscal_receptor="601", uso_cfdi="G03",
            ),
            "conceptos": [
                cfdi40.Concepto(
                    clave_prod_serv="44103103", cantidad=Decimal("2"), clave_unidad="H87",
                    descripcion="Tóner negro TK-3182", valor_unitario=Decimal("1250.00"), objeto_imp="02",
                    impuestos=cfdi40.Impuestos(traslados=cfdi40.Traslado(
                        impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))),
                ),
                cfdi40.Concepto(
                    clave_prod_serv="81112300", cantidad=Decimal("1"), clave_unidad="E48",
                    descripcion="Renta mensual de multifuncional, noviembre 2026",
                    valor_unitario=Decimal("3480.50"), objeto_imp="02",
                    impuestos=cfdi40.Impuestos(traslados=cfdi40.Traslado(
                        impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))),
                ),
            ],
            "moneda": "MXN",
            "forma_pago": "99",
            "metodo_pago": "PPD",
            "serie": "F",
            "folio": "1001",
            **changes,
        }
        return cfdi40.Comprobante(**arguments)

    return make


@pytest.fixture(scope="session")
def sealed(invoice, issuer) -> Callable[..., bytes]:
    """The invoice sealed by `signer` (the issuer's CSD by default), as XML bytes."""

    def make(signer: Signer | None = None, **changes) -> bytes:
        document = invoice(**changes)
        document.sign(signer or issuer)
        return document.xml_bytes()

    return make


def mexico_city_now() -> datetime:
    from satcfdi.transform import MEXICO_TZ

    return datetime.now(timezone.utc).astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0)


@pytest.fixture(scope="session")
def days_ago() -> Callable[[float], datetime]:
    return lambda days: mexico_city_now() - timedelta(days=days)
