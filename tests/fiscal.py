"""CFDIs as the vendor's ERP sends them with its invoices, for suites that follow invoices to
their payment receipts: sealed with the local stack's vendor CSD (the one billing-stamper seals
receipts with) and stamped by the stack's PAC simulator."""
from __future__ import annotations

import base64
import random
import string
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from stack import VENDOR_NAME, VENDOR_RFC, Stack

PAC_AUTH = "Basic " + base64.b64encode(b"portal-demo:dev-pac-password").decode()
NS = {"cfdi": "http://www.sat.gob.mx/cfd/4", "pago20": "http://www.sat.gob.mx/Pagos20",
      "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital"}


def sat_rfc() -> str:
    """A company RFC SAT's schema takes (its last character a digit), no other test's."""
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    year, month, day = random.randint(50, 99), random.randint(1, 12), random.randint(1, 28)
    homoclave = "".join(random.choices(string.ascii_uppercase + string.digits, k=2)) + random.choice(string.digits)
    return f"{letters}{year:02d}{month:02d}{day:02d}{homoclave}"


def stamped_invoice_cfdi(stack: Stack, receiver_rfc: str, total: str, *, currency: str = "MXN",
                         rate: str | None = None) -> str:
    """The invoice's CFDI 4.0 (Ingreso, PPD; one concept with IVA at 16 %, so Total is `total`),
    sealed with the stack's vendor CSD and stamped by the stack's PAC simulator."""
    from satcfdi.create.cfd import cfdi40
    from satcfdi.models import Signer

    csd = stack.procs["billing-stamper"].env
    signer = Signer.load(certificate=Path(csd["CSD_CERTIFICATE_PATH"]).read_bytes(),
                         key=Path(csd["CSD_KEY_PATH"]).read_bytes(), password=csd["CSD_KEY_PASSWORD"])
    base = (Decimal(total) / Decimal("1.16")).quantize(Decimal("0.01"))
    document = cfdi40.Comprobante(
        emisor=cfdi40.Emisor(rfc=VENDOR_RFC, nombre=VENDOR_NAME, regimen_fiscal="601"),
        lugar_expedicion="06600",
        receptor=cfdi40.Receptor(rfc=receiver_rfc, nombre="CLIENTE DE PRUEBA", domicilio_fiscal_receptor="06600",
                                 regimen_fiscal_receptor="601", uso_cfdi="G03"),
        conceptos=[cfdi40.Concepto(
            clave_prod_serv="81112300", cantidad=Decimal("1"), clave_unidad="E48",
            descripcion="Renta mensual de multifuncional", valor_unitario=base, objeto_imp="02",
            impuestos=cfdi40.Impuestos(traslados=cfdi40.Traslado(
                impuesto="002", tipo_factor="Tasa", tasa_o_cuota=Decimal("0.160000"))),
        )],
        moneda=currency, forma_pago="99", metodo_pago="PPD",
        **({"tipo_cambio": Decimal(rate)} if currency != "MXN" else {}),
        # A minute back: the PAC refuses a document dated ahead of its clock.
        fecha=datetime.now(ZoneInfo("America/Mexico_City")).replace(tzinfo=None, microsecond=0) - timedelta(minutes=1),
    )
    assert document["Total"] == Decimal(total), f"{total} is not a base plus 16 % to the cent"
    document.sign(signer)
    stamped = requests.post(f"{stack.pac_url}/api/v1/stamp", data=document.xml_bytes(), timeout=30,
                            headers={"Authorization": PAC_AUTH, "Content-Type": "application/xml"})
    assert stamped.status_code == 200, stamped.text
    return stamped.text
