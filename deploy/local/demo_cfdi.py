"""The demo invoices' CFDIs: each a CFDI 4.0 Ingreso of the demo vendor, sealed with the demo
vendor's CSD (the pair billing-stamper seals its payment receipts with) and stamped by the PAC
simulator, as the ERP would send it with the invoice.

Deterministic on purpose: the same invoice on the same day is the same sealed document, which the
PAC answers with its first stamp (code 307), so a second seed imports exactly the CFDI billing
already holds, which billing takes as unchanged (a different one it would refuse).
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
IVA = Decimal("0.16")
# The demo customer's fiscal address and regime: not part of identity's demo seed, fixed here.
RECEIVER_POSTAL_CODE = "06600"
RECEIVER_REGIME = "601"  # General de Ley Personas Morales
RECEIVER_USE = "G03"  # Gastos en general


@dataclass(frozen=True)
class Pac:
    url: str
    user: str
    password: str

    def _request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(self.url.rstrip("/") + path, method=method, data=body,
                                         headers={"Authorization": f"Basic {token}", "Content-Type": "application/xml"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stamp(self, sealed: bytes) -> bytes:
        """The stamped document; the first stamp again when this sealed document was stamped before."""
        status, body = self._request("POST", "/api/v1/stamp", sealed)
        if status == 200:
            return body
        problem = _json(body)
        if status == 409 and problem.get("code") == "307" and problem.get("uuid"):
            status, body = self._request("GET", f"/api/v1/stamps/{problem['uuid']}")
            if status == 200:
                return body
        raise RuntimeError(f"the PAC at {self.url} did not stamp a demo CFDI ({status}): {body[:500]!r}")


def _json(body: bytes) -> dict:
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


@dataclass(frozen=True)
class Vendor:
    rfc: str
    name: str
    certificate_path: Path
    key_path: Path
    key_password: str
    tax_regime: str = "601"
    postal_code: str = "06600"  # LugarExpedicion: Mexico City

    def signer(self):
        from satcfdi.models import Signer

        return Signer.load(certificate=self.certificate_path.read_bytes(), key=self.key_path.read_bytes(),
                           password=self.key_password)


def base_of(total: Decimal) -> Decimal:
    """The amount before IVA whose 16 % (rounded to the cent, as the CFDI's Importe is) adds up to
    `total`; ValueError when no amount does, as for 3980.50."""
    base = (total / (1 + IVA)).quantize(CENT, ROUND_HALF_UP)
    if base + (base * IVA).quantize(CENT, ROUND_HALF_UP) != total:
        raise ValueError(f"{total} is no amount plus its 16 % IVA to the cent")
    return base


def issued_at(today: date) -> datetime:
    """The CFDI's Fecha: the start of the seed's day, Mexico City time. Not the invoice's issue date:
    a PAC stamps only documents dated in the last 72 hours, and most demo invoices are older."""
    return datetime.combine(today, time(0, 0))


def invoice_cfdi(row: dict, *, vendor: Vendor, signer, receiver_rfc: str, receiver_name: str,
                 today: date, exchange_rate: Decimal | None) -> bytes:
    """The sealed (not yet stamped) CFDI 4.0 of one demo invoice row."""
    from satcfdi.create.cfd import cfdi40

    total = Decimal(row["amount"])
    document = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=vendor.rfc, nombre=vendor.name, regimen_fiscal=vendor.tax_regime),
        lugar_expedicion=vendor.postal_code,
        receptor=cfdi40.Receptor(rfc=receiver_rfc, nombre=receiver_name, domicilio_fiscal_receptor=RECEIVER_POSTAL_CODE,
                                 regimen_fiscal_receptor=RECEIVER_REGIME, uso_cfdi=RECEIVER_USE),
        conceptos=[cfdi40.Concepto(
            clave_prod_serv="81112300", cantidad=Decimal("1"), clave_unidad="E48",
            descripcion=f"Renta de multifuncionales con servicio y tóner, cuenta {row['account_number']}",
            valor_unitario=base_of(total), objeto_imp="02",
            impuestos=cfdi40.Impuestos(traslados=cfdi40.Traslado(
                impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))),
        )],
        moneda=row["currency"],
        tipo_cambio=exchange_rate if row["currency"] != "MXN" else None,
        forma_pago="99",
        metodo_pago="PPD",
        folio=row["invoice_number"],
        fecha=issued_at(today),
    )
    if document["Total"] != total:
        raise ValueError(f"{row['invoice_number']}: the CFDI's Total {document['Total']} is not the amount {total}")
    document.sign(signer)
    return document.xml_bytes()


def with_cfdis(rows: list[dict], *, vendor: Vendor, pac: Pac, receiver_rfc: str, receiver_name: str,
               today: date, exchange_rates: dict[str, Decimal]) -> list[dict]:
    """The rows, each with its stamped CFDI in cfdi_xml."""
    signer = vendor.signer()
    stamped = []
    for row in rows:
        sealed = invoice_cfdi(row, vendor=vendor, signer=signer, receiver_rfc=receiver_rfc,
                              receiver_name=receiver_name, today=today,
                              exchange_rate=exchange_rates.get(row["issue_date"]))
        stamped.append({**row, "cfdi_xml": pac.stamp(sealed).decode("utf-8")})
    return stamped
