"""A confirmed payment of an invoice imported with its CFDI gets its receipt (REP, CFDI 4.0 type
P) sealed by billing-stamper with the vendor's CSD and stamped by the PAC simulator: gateway,
billing, payment, the bank and PAC simulators, RabbitMQ and PostgreSQL, every process real."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests
from lxml import etree

from e2e.test_payments import amounts, answer_at_bank, start_payment
from fiscal import PAC_AUTH, sat_rfc, stamped_invoice_cfdi
from stack import VENDOR_RFC, Api, Stack, wait_until

TFD = "{http://www.sat.gob.mx/cfd/4}Complemento/{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"


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
