"""Fiscal documents on the billing pages: each payment's REP in the payment history, a month's CFDIs
as one ZIP from Facturas, and the staff's list of receipts still to stamp (stand-ins, docs/api.md)."""
from __future__ import annotations

import re

from conftest import sign_in, stopped_url, table, text
from standins import CUSTOMER_ID, PDF_BYTES, REP_UUID, REP_XML, ZIP_BYTES

PLAYED = ("identity", "billing", "payment")


def confirmed_payment(payment, number: int, customer: str = CUSTOMER_ID) -> str:
    payment_id = f"pay-{number}"
    payment.payments[payment_id] = {
        "id": payment_id, "reference": f"REF{number:06d}", "status": "confirmed", "customer": customer,
        "confirmed_at": "2026-11-22T14:05:00Z", "bank_reference": f"BBVA-MP 0000{number}", "total": "500.00",
        "items": [{"invoice_id": "inv-3", "invoice_number": "F-1003", "currency": "MXN", "amount": "500.00"}],
    }
    return payment_id


def receipt(billing, payment_id: str, status: str, customer: str = CUSTOMER_ID, **more) -> None:
    billing.receipts[payment_id] = {
        "payment_id": payment_id, "customer": customer, "customer_id": customer, "status": status,
        "customer_name": "Comercializadora Demo SA de CV", "customer_rfc": "CDM850101AB1",
        "reference": f"REF-{payment_id}", "total_mxn": "500.00", "confirmed_at": "2026-11-22T14:05:00Z",
        "deadline": "2026-12-05", "overdue": False, "refusal_code": None,
        "fiscal_folio": REP_UUID if status == "stamped" else None, **more,
    }


def row(page: str, payment_id: str) -> str:
    return re.search(rf'<tr id="payment-{payment_id}">.*?</tr>', page, re.S).group(0)


def test_the_history_offers_each_stamped_rep_and_says_where_the_others_are(ui, identity, billing, payment):
    stamped, waiting, held, none = (confirmed_payment(payment, n) for n in (1, 2, 3, 4))
    receipt(billing, stamped, "stamped")
    receipt(billing, waiting, "waiting")
    receipt(billing, held, "refused", refusal_code="pac.305")
    sign_in(ui, identity, ["billing"])

    page = text(ui.get("/payments"))

    assert "Comprobante de pago (REP)" in table(page, "payments-table")
    assert f'href="/payments/{stamped}/receipt.xml"' in row(page, stamped)
    assert f'href="/payments/{stamped}/receipt.pdf"' in row(page, stamped)
    assert "Pago REF000001: REP en XML" in row(page, stamped)
    assert "En proceso de timbrado" in row(page, waiting) and "receipt." not in row(page, waiting)
    assert "En revisión por el proveedor" in row(page, held)
    assert "receipt." not in row(page, none) and "—" in row(page, none)

    for kind, body in (("xml", REP_XML), ("pdf", PDF_BYTES)):
        response = ui.get(f"/payments/{stamped}/receipt.{kind}")
        assert response.status_code == 200 and response.mimetype == f"application/{kind}"
        assert response.headers["Content-Disposition"] == f'attachment; filename="REP-{REP_UUID}.{kind}"'
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.get_data() == body
        assert billing.calls[-1]["path"] == f"/api/v1/payment-receipts/{stamped}.{kind}"
    assert ui.get(f"/payments/{waiting}/receipt.xml").status_code == 404
    assert ui.get(f"/payments/{stamped}/receipt.txt").status_code == 404
    english = text(ui.get("/payments?lang=en"))
    assert "Payment receipt (REP)" in english and "Being stamped" in english and "Payment REF000001: REP as PDF" in english


def test_the_history_asks_billing_for_exactly_the_payments_it_lists(ui, identity, billing, payment):
    first, second = confirmed_payment(payment, 1), confirmed_payment(payment, 2)
    sign_in(ui, identity, ["admin"])
    ui.get("/payments")
    (asked,) = [call for call in billing.calls if call["path"] == "/api/v1/payment-receipts"]
    assert billing.receipts_asked == [[first, second]] or billing.receipts_asked == [[second, first]]
    assert asked["args"]["page_size"] == "2" and "customer_id" not in asked["args"]


def test_without_billing_the_history_still_shows_and_says_the_receipts_are_unavailable(
        make_gateway, urls, identity, payment):
    confirmed_payment(payment, 1)
    ui = make_gateway({**urls, "billing": stopped_url()}).test_client()
    sign_in(ui, identity, ["billing"])
    response = ui.get("/payments")
    assert response.status_code == 200
    assert "No disponible por ahora" in row(text(response), "pay-1")


def test_a_months_cfdis_download_from_facturas_as_one_zip(ui, identity, billing):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/invoices"))
    assert 'id="cfdi-month-form"' in page and "Descargar los CFDI del mes (ZIP)" in page

    response = ui.get("/invoices/cfdi.zip?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="CFDI-2026-10.zip"'
    assert response.get_data() == ZIP_BYTES
    assert billing.calls[-1]["args"] == {"month": "2026-10"}

    nothing = ui.get("/invoices/cfdi.zip?month=2026-03")
    assert (nothing.status_code, nothing.headers["Location"]) == (303, "/invoices")
    assert "Ninguna factura de este mes tiene un CFDI para descargar." in text(ui.get("/invoices"))
    calls = len(billing.calls)
    bad = ui.get("/invoices/cfdi.zip?month=marzo")
    assert bad.status_code == 303 and len(billing.calls) == calls  # never reaches billing
    assert "Elija el mes cuyos CFDI desea descargar." in text(ui.get("/invoices"))


def test_staff_see_the_receipts_still_to_stamp_with_their_deadline(ui, identity, billing):
    receipt(billing, "pay-1", "waiting")
    receipt(billing, "pay-2", "refused", customer="cust-2", refusal_code="billing.receipt_invoice_without_cfdi",
            overdue=True, deadline="2026-11-05")
    receipt(billing, "pay-3", "stamped")
    sign_in(ui, identity, ["operator"])
    home = text(ui.get("/"))
    assert 'href="/payment-receipts"' in home and "Comprobantes de pago" in home

    page = text(ui.get("/payment-receipts"))

    listed = table(page, "payment-receipts-table")
    assert "receipt-pay-1" in listed and "receipt-pay-2" in listed and "receipt-pay-3" not in listed
    assert "En proceso de timbrado" in listed
    assert "Requiere revisión: Una de las facturas que pagó no tiene su CFDI en el portal." in listed
    assert "Fuera de plazo" in listed and listed.count("Fuera de plazo") == 1
    asked = billing.calls[-1]
    assert asked["args"].get("unstamped") == "true" and "customer_id" not in asked["args"]
    assert "El mes marzo no es válido" in text(ui.get("/payment-receipts?month=marzo"))


def test_agents_read_why_a_receipt_waits(ui, identity, billing):
    receipt(billing, "pay-1", "refused", refusal_code="pac.305")
    sign_in(ui, identity, ["agent"])
    page = text(ui.get("/payment-receipts"))
    assert "El PAC lo rechazó (código 305)." in page


def test_customers_do_not_see_the_staff_list(ui, identity, billing):
    for role in ("admin", "billing"):
        sign_in(ui, identity, [role])
        assert ui.get("/payment-receipts").status_code == 403
