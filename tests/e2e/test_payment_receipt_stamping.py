"""A confirmed payment of an invoice imported with its CFDI gets its receipt (REP, CFDI 4.0 type
P) sealed by billing-stamper with the vendor's CSD and stamped by the PAC simulator: gateway,
billing, payment, the bank and PAC simulators, RabbitMQ and PostgreSQL, every process real."""
from __future__ import annotations

import base64
import random
import string
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from lxml import etree

from stack import VENDOR_NAME, VENDOR_RFC, Api, Stack, wait_until
from e2e.test_payments import amounts, answer_at_bank, start_payment

TFD = "{http://www.sat.gob.mx/cfd/4}Complemento/{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"
PAC_AUTH = "Basic " + base64.b64encode(b"portal-demo:dev-pac-password").decode()


def sat_rfc() -> str:
    """A company RFC SAT's schema takes (its last character a digit), no other test's."""
    letters = "".join(random.choices(string.ascii_uppercase, k=3))
    year, month, day = random.randint(50, 99), random.randint(1, 12), random.randint(1, 28)
    homoclave = "".join(random.choices(string.ascii_uppercase + string.digits, k=2)) + random.choice(string.digits)
    return f"{letters}{year:02d}{month:02d}{day:02d}{homoclave}"


def stamped_invoice_cfdi(stack: Stack, receiver_rfc: str, total: str) -> str:
    """The invoice's CFDI 4.0 as the ERP sends it: sealed with the stack's vendor CSD (billing-stamper's)
    and stamped by the stack's PAC simulator."""
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
        moneda="MXN", forma_pago="99", metodo_pago="PPD",
        # A minute back: the PAC refuses a document dated ahead of its clock.
        fecha=datetime.now(ZoneInfo("America/Mexico_City")).replace(tzinfo=None, microsecond=0) - timedelta(minutes=1),
    )
    assert document["Total"] == Decimal(total)
    document.sign(signer)
    stamped = requests.post(f"{stack.pac_url}/api/v1/stamp", data=document.xml_bytes(), timeout=30,
                            headers={"Authorization": PAC_AUTH, "Content-Type": "application/xml"})
    assert stamped.status_code == 200, stamped.text
    return stamped.text


@pytest.mark.needs_processes("seals the invoice's CFDI with the stack's vendor CSD, which only the suite's own stack hands it")
def test_a_confirmed_payment_of_an_invoice_with_its_cfdi_gets_a_stamped_receipt(
        stack: Stack, api: Api, operator: Api, register_customer):
    customer = register_customer(rfc=sat_rfc())
    activation = api.login(customer["rfc"], customer["rfc"])
    answer = api.post("/api/v1/auth/first-login", {"email": f"admin.{customer['rfc'].lower()}@example.com",
                                                   "new_password": f"Nueva-Clave-{uuid.uuid4().hex[:8]}"},
                      token=activation["access_token"])
    assert answer.status_code == 200, answer.text
    token, account = answer.json()["access_token"], customer["account_numbers"][0]

    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    row = {"invoice_number": f"T{uuid.uuid4().hex[:12].upper()}", "account_number": account,
           "issue_date": today.isoformat(), "due_date": (today + timedelta(days=30)).isoformat(),
           "currency": "MXN", "amount": "1160.00",
           "cfdi_xml": stamped_invoice_cfdi(stack, customer["rfc"], "1160.00")}
    # Billing learns the account from identity's event; the import waits for it.
    wait_until(lambda: operator.post("/api/v1/invoices/import", {"invoices": [row]}).status_code == 200,
               what="invoice import once billing knows the account")
    listed = api.get("/api/v1/invoices", token=token, params={"account": account})
    assert listed.status_code == 200, listed.text
    [target] = [item for item in listed.json()["items"] if item["invoice_number"] == row["invoice_number"]]
    wait_until(lambda: stack.scalar("payment", "SELECT count(*) FROM payable_invoices WHERE invoice_id = CAST(:i AS uuid)",
                                    i=target["id"]) == 1, what="payment's copy of the invoice")

    started = start_payment(api, token, "bbva", [{"invoice_id": target["id"], "amount": "1160.00"}])
    assert started.status_code == 201, started.text
    paid = started.json()
    answer_at_bank(paid["redirect_url"], "bbva", "approve")
    wait_until(lambda: amounts(api, token, target["id"]) == (Decimal("0.00"), Decimal("0.00"), "paid"),
               timeout=30, what="billing marks the invoice paid")

    def receipt():
        return stack.scalar("billing", "SELECT status || ' ' || coalesce(refusal, '') FROM payment_receipts "
                                       "WHERE payment_id = CAST(:p AS uuid)", p=paid["id"])

    wait_until(lambda: (receipt() or "").startswith("stamped"), timeout=30,
               what=f"billing-stamper stamps the payment's receipt (now: {receipt()!r})")
    folio = stack.scalar("billing", "SELECT CAST(fiscal_folio AS text) FROM payment_receipts WHERE payment_id = CAST(:p AS uuid)",
                         p=paid["id"])
    at_the_pac = requests.get(f"{stack.pac_url}/api/v1/stamps/{folio.upper()}", headers={"Authorization": PAC_AUTH},
                              timeout=10)
    assert at_the_pac.status_code == 200, at_the_pac.text
    rep = etree.fromstring(at_the_pac.content)
    assert rep.get("TipoDeComprobante") == "P"
    assert rep.find("{http://www.sat.gob.mx/cfd/4}Emisor").get("Rfc") == VENDOR_RFC
    assert rep.find("{http://www.sat.gob.mx/cfd/4}Receptor").get("Rfc") == customer["rfc"]
    assert rep.find(TFD).get("UUID").upper() == folio.upper()
