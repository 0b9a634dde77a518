"""A customer pays two invoices, one in USD, at BBVA, then downloads the payment's fiscal receipt
(REP) from the payment history: its UUID is the receipt billing keeps, its total the payment's,
and it lists exactly the two invoices by their folio fiscal."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from browser.test_payment_flow import approve_at_bbva, sign_in, tick_and_pay
from fiscal import NS, sat_rfc, stamped_invoice_cfdi
from stack import Stack, wait_until

# The rate every cross-service test sets for today (tests/conftest.py), so tests running together agree.
TODAY_RATE = "17.5000"


@dataclass
class FiscalCustomer:
    customer: dict
    email: str
    password: str
    invoices: list[dict]


def customer_with_cfdi_invoices(stack: Stack, api, operator, activated_admin,
                                invoices: list[tuple[str, str]]) -> FiscalCustomer:
    """An activated customer whose RFC SAT's schema takes, with invoices imported with their CFDIs."""
    customer, email, password, tokens = activated_admin(rfc=sat_rfc())
    account = customer["account_numbers"][0]
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    assert operator.post("/api/v1/exchange-rates", {"rates": [{"date": today.isoformat(), "rate": TODAY_RATE}]}
                         ).status_code == 200
    rows = [{"invoice_number": f"T{uuid.uuid4().hex[:12].upper()}", "account_number": account,
             "issue_date": today.isoformat(), "due_date": (today + timedelta(days=30)).isoformat(),
             "currency": currency, "amount": amount,
             "cfdi_xml": stamped_invoice_cfdi(stack, customer["rfc"], amount, currency=currency, rate=TODAY_RATE)}
            for currency, amount in invoices]
    # Billing learns the account from identity's event; the import waits for it.
    wait_until(lambda: operator.post("/api/v1/invoices/import", {"invoices": rows}).status_code == 200,
               what="invoice import once billing knows the account")
    listed = api.get("/api/v1/invoices", token=tokens["access_token"], params={"account": account})
    by_number = {item["invoice_number"]: item for item in listed.json()["items"]}
    ordered = [by_number[row["invoice_number"]] for row in rows]
    ids = [item["id"] for item in ordered]
    wait_until(lambda: stack.scalar("payment", "SELECT count(*) FROM payable_invoices "
                                               "WHERE invoice_id = ANY(CAST(:ids AS uuid[]))", ids=ids) == len(ids),
               what="payment's copy of the invoices")
    return FiscalCustomer(customer, email, password, ordered)


@pytest.fixture()
def fiscal_customer(stack, api, operator, activated_admin):
    def make(invoices):
        return customer_with_cfdi_invoices(stack, api, operator, activated_admin, invoices)

    return make


@pytest.mark.needs_processes("seals the invoices' CFDIs with the stack's vendor CSD, which only the suite's own stack hands it")
def test_the_rep_of_two_invoices_paid_at_bbva_downloads_from_the_history(stack: Stack, page, fiscal_customer):
    customer = fiscal_customer([("MXN", "1160.00"), ("USD", "116.00")])
    mxn, usd = customer.invoices
    sign_in(page, stack, customer.email, customer.password)

    total_shown = tick_and_pay(page, stack, customer.invoices, "bbva")
    # 1,160.00 + 116 USD × 17.5000 = 3,190.00 MXN
    assert "3,190.00" in total_shown, total_shown
    page.wait_for_url(re.compile(r"/pay/"))
    payment_id, bank_reference = approve_at_bbva(page)

    def receipt_offered() -> bool:
        page.goto(f"{stack.gateway_url}/payments")
        return page.locator(f"#payment-{payment_id} a.rep-xml").count() == 1

    # billing prepares the receipt when payment.confirmed reaches it, billing-stamper has the PAC stamp it.
    wait_until(receipt_offered, timeout=120, interval=1,
               what="the payment history offering the REP (now: "
                    f"{stack.scalar('billing', 'SELECT status FROM payment_receipts WHERE payment_id = CAST(:p AS uuid)', p=payment_id)!r})")
    row = page.locator(f"#payment-{payment_id}")
    assert "Comprobante de pago (REP)" in page.inner_text("#payments-table thead")
    with page.expect_download() as download:
        row.locator("a.rep-xml").click()
    xml = Path(download.value.path()).read_bytes()

    folio = stack.scalar("billing", "SELECT CAST(fiscal_folio AS text) FROM payment_receipts "
                                    "WHERE payment_id = CAST(:p AS uuid)", p=payment_id).upper()
    assert download.value.suggested_filename == f"REP-{folio}.xml"
    rep = etree.fromstring(xml)
    assert rep.get("TipoDeComprobante") == "P"
    assert rep.find(".//tfd:TimbreFiscalDigital", NS).get("UUID").upper() == folio
    assert rep.find("cfdi:Receptor", NS).get("Rfc") == customer.customer["rfc"]
    (pago,) = rep.findall(".//pago20:Pago", NS)
    assert Decimal(pago.get("Monto")) == Decimal("3190.00") and pago.get("MonedaP") == "MXN"
    assert pago.get("NumOperacion") == bank_reference
    documents = {d.get("IdDocumento").upper(): d for d in pago.findall("pago20:DoctoRelacionado", NS)}
    assert set(documents) == {mxn["fiscal_folio"].upper(), usd["fiscal_folio"].upper()}
    paid_usd = documents[usd["fiscal_folio"].upper()]
    assert (paid_usd.get("MonedaDR"), Decimal(paid_usd.get("ImpPagado")), Decimal(paid_usd.get("ImpSaldoInsoluto"))) == (
        "USD", Decimal("116.00"), Decimal("0.00"))
    assert (Decimal("116.00") / Decimal(paid_usd.get("EquivalenciaDR"))).quantize(Decimal("0.01")) == Decimal("2030.00")
    assert Decimal(documents[mxn["fiscal_folio"].upper()].get("ImpPagado")) == Decimal("1160.00")
