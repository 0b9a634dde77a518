"""The billing and payment pages against stand-ins playing identity, billing and payment (docs/api.md)."""
from __future__ import annotations

import re

import pytest

from conftest import csrf_token, sign_in, stopped_url, table, text
from standins import CFDI_UUID, CFDI_XML, CUSTOMER_ID, PDF_BYTES, invoice

PAGES = ("/statements", "/invoices", "/balances", "/payments")
PLAYED = ("identity", "billing", "payment")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page) or \
        re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page) or \
        re.search(rf'id="[^"]*" name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def pay_form(page: str, picks: dict[str, str], bank: str = "citibanamex") -> dict:
    data = {"csrf_token": csrf_token(page), "idempotency_key": hidden(page, "idempotency_key"),
            "bank": bank, "account": "", "page": "1", "invoice": list(picks)}
    data.update({f"amount-{invoice_id}": amount for invoice_id, amount in picks.items()})
    return data


@pytest.mark.parametrize("role", ["admin", "billing"])
def test_every_page_renders_for_admin_and_billing(ui, identity, billing, payment, role):
    sign_in(ui, identity, [role])
    for path in PAGES:
        response = ui.get(path)
        assert response.status_code == 200, path
        page = text(response)
        assert 'lang="es"' in page
        # Each entry in the navigation, and the page itself marked current.
        for label in ("Saldos", "Facturas", "Estados de cuenta", "Historial de pagos"):
            assert label in page, (path, label)
        assert 'aria-current="page"' in page
    home = text(ui.get("/"))
    for link in ("home-balances", "home-invoices", "home-statements", "home-payments"):
        assert f'id="{link}"' in home
    # Every call carried the user's own token; none named a customer (the token does).
    assert billing.calls and payment.calls
    for call in billing.calls + payment.calls:
        assert call["headers"]["authorization"].startswith("Bearer ")
        assert "customer_id" not in call["args"]


@pytest.mark.parametrize("role", ["device_admin", "knowledge_user"])
def test_other_roles_are_refused_and_never_reach_the_services(ui, identity, billing, payment, role):
    sign_in(ui, identity, [role])
    for path in (*PAGES, "/payments/return?payment=pay-1", "/statements/171001/pdf"):
        response = ui.get(path)
        assert response.status_code == 403, path
        assert "Su rol no da acceso a esta página." in text(response)
    assert ui.post("/balances", data={"csrf_token": csrf_token(text(ui.get("/")))}).status_code == 403
    home = text(ui.get("/"))
    assert "Saldos" not in home and 'href="/balances"' not in home
    assert billing.calls == [] and payment.calls == []


def test_signed_out_visitors_are_sent_to_sign_in(ui):
    for path in PAGES:
        assert ui.get(path).headers["Location"] == "/login"


def test_agent_names_a_customer_and_reads_without_pay_controls(ui, identity, billing, payment):
    sign_in(ui, identity, ["agent"])
    first = text(ui.get("/balances"))
    assert 'id="customer"' in first and billing.calls == []

    page = text(ui.get("/balances?customer_id=cust-2"))
    # The page names the customer chosen, as identity's directory has it.
    assert re.search(r'id="chosen-customer">\s*[^<]*Otra Empresa SA de CV[^<]*OTR900101AB2', page)
    assert "F-9001" in page and "F-1001" not in page
    for control in ('name="invoice"', 'id="pay-button"', 'id="pay-dialog"', 'name="bank"', 'id="pay-form"',
                    "balances.js"):
        assert control not in page, control
    assert billing.calls[-1]["args"]["customer_id"] == "cust-2"
    # The navigation keeps the chosen customer.
    assert 'href="/invoices?customer_id=cust-2"' in page

    for path in ("/invoices", "/statements", "/payments"):
        assert ui.get(f"{path}?customer_id=cust-2").status_code == 200
    token = csrf_token(page)
    refused = ui.post("/balances?customer_id=cust-2", data={"csrf_token": token, "invoice": ["inv-9"],
                                                            "amount-inv-9": "99.00", "bank": "bbva"})
    assert refused.status_code == 403
    assert not [c for c in payment.calls if c["method"] == "POST"]


def test_balances_table_shows_every_column_and_the_pay_controls(ui, identity):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    for shown in ("F-1001", "005300", "01/10/2026", "31/10/2026", "11,600.00", "17.2345", "17,234.50",
                  "400.00", "Vencida", "Citibanamex", "BBVA Bancomer", "¿Desea continuar con el pago? Total a pagar:"):
        assert shown in page, shown
    assert re.search(r'id="pay-inv-1"[^>]*data-currency="MXN"', page)
    assert re.search(r'id="pay-inv-2"[^>]*data-currency="USD" data-rate="17.2345"', page)
    assert re.search(r'name="amount-inv-2" id="amount-inv-2"\s+value="400.00"', page)
    # A payment already in transit cannot be ticked again.
    assert re.search(r'id="pay-inv-3"[^>]*\bdisabled\b', page, re.S)
    assert re.fullmatch(r"[0-9a-f]{32}", hidden(page, "idempotency_key"))
    assert 'id="bank-citibanamex"' in page and 'id="bank-bbva"' in page and 'id="pay-confirm"' in page


def test_pay_without_csrf_token_is_400_and_pays_nothing(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    data = pay_form(page, {"inv-1": "100.00"})
    del data["csrf_token"]
    assert ui.post("/balances", data=data).status_code == 400
    assert not [c for c in payment.calls if c["method"] == "POST"]


def test_ticked_invoices_become_a_payment_and_the_browser_goes_to_the_bank(ui, identity, payment):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/balances"))
    data = pay_form(page, {"inv-1": "1,000.00", "inv-2": "400.00"}, bank="bbva")
    response = ui.post("/balances", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "http://bank.example/pay/bp-1"
    (sent,) = [c for c in payment.calls if c["method"] == "POST"]
    assert sent["headers"]["idempotency-key"] == data["idempotency_key"]
    assert sent["body"] == {"bank": "bbva", "items": [{"invoice_id": "inv-1", "amount": "1000.00"},
                                                      {"invoice_id": "inv-2", "amount": "400.00"}]}

    # The same page sent twice (double click, back and resend) is the same payment, not a second.
    again = ui.post("/balances", data=data)
    assert again.headers["Location"] == "http://bank.example/pay/bp-1"
    assert len(payment.payments) == 1
    # The next showing of the page carries a new key.
    assert hidden(text(ui.get("/balances")), "idempotency_key") != data["idempotency_key"]


def test_payment_in_transit_409_is_shown_on_the_row(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    data = pay_form(page, {"inv-1": "100.00", "inv-3": "500.00"})
    response = ui.post("/balances", data=data)
    assert response.status_code == 409
    shown = text(response)
    # payment.invoice_in_transit: said above the form, and on the row of the invoice it is about.
    assert "Una factura ya tiene un pago en tránsito." in shown
    assert re.search(r'id="errors-inv-3">\s*<li>Esta factura ya tiene un pago en tránsito.</li>', shown)
    assert 'id="errors-inv-1"' not in shown
    assert "already has a payment in transit" not in shown and "is in transit." not in shown  # payment's English
    assert re.search(r'id="pay-inv-1"[^>]*checked', shown, re.S)  # the ticks survive the error
    assert 'value="100.00"' in shown
    assert hidden(shown, "idempotency_key") != data["idempotency_key"]
    assert payment.payments == {}


def test_amount_over_pending_422_is_shown_on_the_row(ui, identity):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    response = ui.post("/balances", data=pay_form(page, {"inv-1": "10.00", "inv-2": "500.00"}))
    assert response.status_code == 422
    shown = text(response)
    assert re.search(r'id="errors-inv-2">\s*<li>El importe es mayor que lo que aún se debe de esta factura.</li>',
                     shown)
    assert 'id="errors-inv-1"' not in shown
    assert "Un importe es mayor que el saldo pendiente de su factura." in shown
    assert "Exceeds the pending amount" not in shown


@pytest.mark.parametrize(("picks", "message"), [
    ({}, "Marque al menos una factura para pagar."),
    ({"inv-1": "abc"}, "Escriba un importe mayor que cero, con dos decimales como máximo."),
    ({"inv-1": "0"}, "Escriba un importe mayor que cero, con dos decimales como máximo."),
])
def test_pay_form_errors_never_reach_payment(ui, identity, payment, picks, message):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    response = ui.post("/balances", data=pay_form(page, picks))
    assert response.status_code == 400
    assert message in text(response)
    assert not [c for c in payment.calls if c["method"] == "POST"]


def test_a_tampered_idempotency_key_is_refused_and_replaced(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    data = pay_form(text(ui.get("/balances")), {"inv-1": "10.00"})
    data["idempotency_key"] = "chosen-by-someone"
    response = ui.post("/balances", data=data)
    assert response.status_code == 400
    assert "El formulario expiró." in text(response)
    assert re.fullmatch(r"[0-9a-f]{32}", hidden(text(response), "idempotency_key"))
    assert not [c for c in payment.calls if c["method"] == "POST"]


def test_return_page_processes_until_the_bank_answers_then_confirms(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    ui.post("/balances", data=pay_form(text(ui.get("/balances")), {"inv-1": "11600.00"}))
    payment.script["pay-1"] = ["pending", "confirmed"]

    waiting = text(ui.get("/payments/return?payment=pay-1"))
    assert "Procesando su pago…" in waiting
    assert '<meta http-equiv="refresh" content="2">' in waiting
    # With scripts it asks in the background instead, keeping the focus where it is.
    assert "payment_return.js" in waiting

    done = ui.get("/payments/return?payment=pay-1")
    page = text(done)
    assert done.status_code == 200
    assert "Procesando" not in page and 'http-equiv="refresh"' not in page
    assert 'data-status="confirmed"' in page
    for shown in ("BC-Banamex 063197", "REF000001", "F-1001", "11,600.00"):
        assert shown in page, shown
    # Each visit asks payment-service to check with the bank (a POST: reading a payment changes nothing).
    assert [c["path"] for c in payment.calls if "pay-1" in c["path"]] == ["/api/v1/payments/pay-1/status-check"] * 2

    history = text(ui.get("/payments"))
    assert "BC-Banamex 063197" in history and "F-1001" in history


def test_return_page_shows_why_a_payment_failed(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    ui.post("/balances", data=pay_form(text(ui.get("/balances")), {"inv-1": "10.00"}))
    payment.script["pay-1"] = ["failed"]
    page = text(ui.get("/payments/return?payment=pay-1"))
    # payment-service's reason "declined", said in the page's language.
    assert 'data-status="failed"' in page
    assert re.search(r'id="failure-reason">\s*El banco rechazó el pago.\s*</p>', page)
    assert "declined" not in page
    assert 'id="back-to-balances" href="/balances"' in page
    assert ui.get("/payments/return?payment=nope").status_code == 404
    assert ui.get("/payments/return").status_code == 400


def test_statements_newest_first_and_the_pdf_streams_through(ui, identity, billing):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/statements"))
    # Newest first, each month as people say it rather than as the API names it.
    assert page.index("octubre de 2026") < page.index("septiembre de 2026")
    assert "<td>2026-10</td>" not in page
    assert "October 2026" in text(ui.get("/statements?lang=en"))
    assert 'href="/statements/171001/pdf"' in page

    response = ui.get("/statements/171001/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.is_streamed
    assert 'filename="estado-de-cuenta-171001.pdf"' in response.headers["Content-Disposition"]
    assert response.get_data() == PDF_BYTES
    assert response.headers["Cache-Control"] == "private, no-store"
    assert ui.get("/statements/999999/pdf").status_code == 404
    assert billing.calls[-1]["path"] == "/api/v1/statements/999999/pdf"


def test_an_invoice_with_its_cfdi_links_its_xml_and_pdf_which_stream_through(ui, identity, billing):
    sign_in(ui, identity, ["billing"])
    # billing answers the folio as a UUID in small letters; the page shows it as SAT writes it.
    billing.invoices[CUSTOMER_ID][0]["fiscal_folio"] = CFDI_UUID.lower()
    page = text(ui.get("/invoices"))
    with_cfdi = re.search(r'<tr id="invoice-inv-1">.*?</tr>', page, re.S).group(0)
    without = re.search(r'<tr id="invoice-inv-2">.*?</tr>', page, re.S).group(0)
    assert f'<td class="wrap-ok folio">{CFDI_UUID}</td>' in with_cfdi
    assert 'href="/invoices/inv-1/cfdi.xml"' in with_cfdi and 'href="/invoices/inv-1/cfdi.pdf"' in with_cfdi
    assert "Factura F-1001: CFDI en XML" in with_cfdi
    assert "cfdi." not in without
    assert "Invoice F-1001: CFDI as PDF" in text(ui.get("/invoices?lang=en"))

    for kind, body in (("xml", CFDI_XML), ("pdf", PDF_BYTES)):
        response = ui.get(f"/invoices/inv-1/cfdi.{kind}")
        assert response.status_code == 200
        assert response.mimetype == f"application/{kind}"
        assert response.is_streamed
        assert response.headers["Content-Disposition"] == f'attachment; filename="{CFDI_UUID}.{kind}"'
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.get_data() == body
        assert billing.calls[-1]["path"] == f"/api/v1/invoices/inv-1/cfdi.{kind}"
    assert ui.get("/invoices/inv-2/cfdi.pdf").status_code == 404  # no CFDI
    assert ui.get("/invoices/inv-9/cfdi.xml").status_code == 404  # another customer's
    assert ui.get("/invoices/inv-1/cfdi.txt").status_code == 404
    assert billing.calls[-1]["path"] == "/api/v1/invoices/inv-9/cfdi.xml"


def test_staff_download_a_customers_cfdi_naming_the_customer(ui, identity, billing):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get(f"/invoices?customer_id={CUSTOMER_ID}"))
    assert f'href="/invoices/inv-1/cfdi.pdf?customer_id={CUSTOMER_ID}"' in page

    response = ui.get(f"/invoices/inv-1/cfdi.pdf?customer_id={CUSTOMER_ID}")
    assert response.status_code == 200 and response.get_data() == PDF_BYTES
    assert billing.calls[-1]["args"] == {"customer_id": CUSTOMER_ID}


def test_english_on_request(ui, identity):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/balances?lang=en"))
    assert 'lang="en"' in page
    for shown in ("Balances", "Do you want to continue with the payment? Total to pay:", "Overdue",
                  "Amount to pay", "Payment history", "2026-10-31"):
        assert shown in page, shown
    assert "Saldos" not in page and "Vencida" not in page
    for path in ("/invoices", "/statements", "/payments"):
        assert "Filter" in text(ui.get(path))


def test_invoices_filter_by_status_and_account_and_paginate(ui, identity, billing):
    billing.invoices["cust-1"] += [invoice(f"inv-x{n}", f"F-2{n:03d}", "005301", "MXN", "10.00", "10.00")
                                   for n in range(30)]
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/invoices"))
    assert "Página 1 de 2" in page and 'id="page-next" rel="next" href="/invoices?page=2"' in page
    assert billing.calls[-1]["args"] == {"page": "1", "page_size": "25"}

    response = ui.get("/invoices?status=paid&account=005300")
    assert response.status_code == 200  # the filter named "status" must not become the HTTP status
    paid = text(response)
    assert billing.calls[-1]["args"] == {"status": "paid", "account": "005300", "page": "1", "page_size": "25"}
    assert "F-0999" in paid and "F-1001" not in paid

    second = text(ui.get("/invoices?page=2"))
    assert "Página 2 de 2" in second and 'id="page-previous"' in second


def test_payment_history_filters_by_account_and_dates(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    ui.get("/payments?account=005300&from=2026-11-01&to=2026-11-30")
    assert payment.calls[-1]["args"] == {"account": "005300", "from": "2026-11-01", "to": "2026-11-30",
                                         "page": "1", "page_size": "25"}
    before = len(payment.calls)
    bad = ui.get("/payments?from=2026-13-45")
    assert bad.status_code == 400 and "2026-13-45" in text(bad)
    assert len(payment.calls) == before


def test_billing_down_is_a_clear_page(make_gateway, urls, identity):
    ui = make_gateway({**urls, "billing": stopped_url()}).test_client()
    sign_in(ui, identity, ["billing"])
    for path in ("/balances", "/invoices", "/statements", "/statements/171001/pdf"):
        response = ui.get(path)
        assert response.status_code == 503, path
        page = text(response)
        assert "La información de facturación no está disponible en este momento." in page
        assert "billing-service is unavailable" not in page  # the developer's text is for the log
        assert "Historial de pagos" in page  # the navigation is still there


def test_payment_down_keeps_the_form_and_its_key(make_gateway, urls, identity):
    ui = make_gateway({**urls, "payment": stopped_url()}).test_client()
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    data = pay_form(page, {"inv-1": "100.00"})
    response = ui.post("/balances", data=data)
    assert response.status_code == 503
    shown = text(response)
    assert "Los pagos no están disponibles en este momento." in shown
    # Sending it again later must be recognised as the same payment if the first one got through.
    assert hidden(shown, "idempotency_key") == data["idempotency_key"]
    assert "payment-service is unavailable" not in shown
    history = ui.get("/payments")
    assert history.status_code == 503
    assert "Los pagos no están disponibles en este momento." in text(history)
    assert "payment-service is unavailable" not in text(history)


def test_the_usd_card_says_what_its_pending_comes_to_in_mxn_apart_from_what_is_in_transit(ui, identity):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    equals = re.search(r'id="pending-usd-in-mxn">\s*Equivale a ([\d,.]+) MXN al tipo de cambio vigente', page)
    assert equals, "the USD card does not say what its pending comes to in MXN"
    assert "En MXN:" not in page  # once read as the MXN amount in transit


def test_every_page_names_the_portals_icon(ui, identity):
    sign_in(ui, identity, ["billing"])
    page = text(ui.get("/balances"))
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert icon, "no icon"
    served = ui.get(icon.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"


def _in_transit_at_bbva(ui, billing) -> str:
    """A payment of F-1001 started at BBVA and left there: billing counts its amount in transit."""
    ui.post("/balances", data=pay_form(text(ui.get("/balances")), {"inv-1": "10.00"}, bank="bbva"))
    next(i for i in billing.invoices[CUSTOMER_ID] if i["id"] == "inv-1")["in_transit_amount"] = "10.00"
    return text(ui.get("/balances"))


def test_a_payment_in_transit_says_where_and_since_when_and_can_be_cancelled(ui, identity, billing, payment):
    sign_in(ui, identity, ["billing"])
    page = _in_transit_at_bbva(ui, billing)

    assert 'id="in-transit"' in page and "Pagos en tránsito" in page
    assert "Pago REF000001 por 10.00 MXN en BBVA Bancomer, iniciado el 22/11/2026 08:00, de F-1001." in page
    assert "BBVA Bancomer, desde el 22/11/2026 08:00" in table(page, "balances-table")
    assert 'id="cancel-pay-1"' in page

    cancelled = ui.post("/payments/pay-1/cancel", data={"csrf_token": csrf_token(page)})

    assert cancelled.status_code == 303 and cancelled.headers["Location"].endswith("/balances")
    assert "El pago REF000001 se canceló. Sus facturas pueden pagarse de nuevo." in text(ui.get("/balances"))
    assert (payment.payments["pay-1"]["status"], payment.payments["pay-1"]["failure_reason"]) == ("failed", "cancelled")


def test_back_from_the_bank_shows_the_invoices_in_transit_before_billing_has_heard_of_it(ui, identity, billing, payment):
    sign_in(ui, identity, ["billing"])
    ui.post("/balances", data=pay_form(text(ui.get("/balances")), {"inv-1": "10.00"}, bank="bbva"))
    # payment-service holds F-1001 already; billing's balance still says nothing is in transit.

    answer = ui.get("/balances")

    shown = text(answer)
    assert re.search(r'id="pay-inv-1"[^>]*\bdisabled\b', shown, re.S)
    assert 'id="in-transit"' in shown and "BBVA Bancomer, desde el" in table(shown, "balances-table")
    # Back from the bank asks for the page again instead of showing the one the browser kept.
    assert "no-store" in answer.headers["Cache-Control"]


def test_the_page_after_a_cancel_shows_the_invoices_payable_before_billing_has_heard_of_it(
        ui, identity, billing, payment):
    sign_in(ui, identity, ["billing"])
    page = _in_transit_at_bbva(ui, billing)

    cancelled = ui.post("/payments/pay-1/cancel", data={"csrf_token": csrf_token(page)})

    assert cancelled.status_code == 303
    # Billing's balance still counts the amount in transit; payment-service has freed the invoice.
    assert next(i for i in billing.invoices[CUSTOMER_ID] if i["id"] == "inv-1")["in_transit_amount"] == "10.00"
    shown = text(ui.get("/balances"))
    assert not re.search(r'id="pay-inv-1"[^>]*\bdisabled\b', shown, re.S)
    assert 'id="cancel-pay-1"' not in shown and "BBVA Bancomer, desde el" not in shown


def test_without_payment_service_the_rows_say_what_billing_says(make_gateway, urls, identity):
    ui = make_gateway({**urls, "payment": stopped_url()}).test_client()
    sign_in(ui, identity, ["billing"])

    shown = text(ui.get("/balances"))

    # F-1003 is in transit by billing's word; nobody can say otherwise, so it cannot be ticked.
    assert re.search(r'id="pay-inv-3"[^>]*\bdisabled\b', shown, re.S)
    assert not re.search(r'id="pay-inv-1"[^>]*\bdisabled\b', shown, re.S)


def test_a_payment_the_bank_already_received_stays_paid_and_the_page_says_so(ui, identity, billing, payment):
    sign_in(ui, identity, ["billing"])
    page = _in_transit_at_bbva(ui, billing)
    payment.paid_at_bank.add("pay-1")

    ui.post("/payments/pay-1/cancel", data={"csrf_token": csrf_token(page)})

    shown = text(ui.get("/balances"))
    assert "El banco ya había recibido este pago, así que no puede cancelarse. Está confirmado." in shown
    assert "already paid" not in shown
    assert payment.payments["pay-1"]["status"] == "confirmed"
    # Cancelled or paid, asking again says it is no longer waiting for the bank.
    ui.post("/payments/pay-1/cancel", data={"csrf_token": csrf_token(page)})
    assert "Este pago ya no espera al banco: ya se completó o se canceló." in text(ui.get("/balances"))


def test_only_payers_cancel_and_only_with_the_pages_token(ui, identity, billing, payment):
    sign_in(ui, identity, ["billing"])
    _in_transit_at_bbva(ui, billing)
    assert ui.post("/payments/pay-1/cancel", data={}).status_code == 400
    assert payment.payments["pay-1"]["status"] == "pending"
    sign_in(ui, identity, ["agent"])
    token = csrf_token(text(ui.get("/password")))
    assert ui.post("/payments/pay-1/cancel", data={"csrf_token": token}).status_code == 403
    assert payment.payments["pay-1"]["status"] == "pending"


def test_the_return_page_of_a_pending_payment_offers_to_cancel_it(ui, identity, payment):
    sign_in(ui, identity, ["billing"])
    ui.post("/balances", data=pay_form(text(ui.get("/balances")), {"inv-1": "10.00"}))
    waiting = text(ui.get("/payments/return?payment=pay-1"))
    assert 'id="cancel-payment"' in waiting and 'action="/payments/pay-1/cancel"' in waiting
    assert "¿Salió de la página del banco sin pagar?" in waiting
