"""The customer service pages against stand-ins playing identity and servicedesk (docs/api.md)."""
from __future__ import annotations

import html
import re

import pytest

from conftest import csrf_token, serve, sign_in, table
from standin_staff import CUSTOMERS, OTHER_CUSTOMER, OTHER_USER_ID, USER_ID, StaffDesk, StaffIdentity
from standins import CUSTOMER_ID

OVERVIEW = f"/staff/customers/{CUSTOMER_ID}"
CORRECT = f"{OVERVIEW}/users/{USER_ID}/email"
IDENTITY = StaffIdentity
PLAYED = ("identity", "servicedesk")


@pytest.fixture
def servicedesk(tokens, identity):
    yield from serve(StaffDesk(tokens, identity))


def text(response) -> str:
    # The overview's names carry accents and apostrophes: compared as a reader sees them.
    return html.unescape(response.get_data(as_text=True))


def form_csrf(page: str, user_id: str) -> str:
    match = re.search(rf'id="user-{user_id}-csrf_token" name="user-{user_id}-csrf_token" type="hidden" value="([^"]+)"',
                      page)
    assert match, f"no CSRF token in the form of user {user_id}"
    return match.group(1)


def test_agent_finds_customers_by_name_rfc_or_account(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])

    everyone = text(ui.get("/staff/customers"))
    by_accented_name = text(ui.get("/staff/customers?q=bajio"))
    by_account = text(ui.get("/staff/customers?q=005301"))

    assert "Clientes" in everyone  # the navigation entry, and the page's title
    for listed in (CUSTOMER_ID, OTHER_CUSTOMER):
        assert f'href="/staff/customers/{listed}"' in everyone
    assert "Impresiones del Bajío SA" in by_accented_name and "Copias del Centro" not in by_accented_name
    assert "Copias del Centro SA de CV" in by_account and "Impresiones" not in by_account
    assert "Ningún cliente coincide." in text(ui.get("/staff/customers?q=zzz"))
    # identity was asked with the agent's own token.
    assert all(call["authorization"].startswith("Bearer ") for call in identity.staff_calls)


def test_agent_sees_the_overview(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])

    response = ui.get(OVERVIEW)

    assert response.status_code == 200
    page = text(response)
    assert "Copias del Centro SA de CV" in page
    for number in ("SYS-77120", "005300", "005301", CUSTOMERS[CUSTOMER_ID]["rfc"]):
        assert number in page
    assert 'data-credit="overdue"' in page and "Con pagos vencidos" in page
    assert "laura@example.mx" in table(page, "overview-users")
    assert "SN-XK2201" in table(page, "overview-devices")
    incidents = table(page, "overview-incidents")
    assert 'data-sla="at_risk"' in incidents and "10/03/2026 15:00" in incidents  # due, Mexico City time
    payments = table(page, "overview-payments")
    assert payments.index("REF000002") < payments.index("REF000001")  # the last payment first
    assert "BC-Banamex 063197" in payments
    assert f'href="/incidents/new?customer_id={CUSTOMER_ID}"' in page
    assert 'class="notice notice-error"' not in page
    # servicedesk was asked with the agent's own token.
    assert [call["path"] for call in servicedesk.calls] == [f"/api/v1/staff/customers/{CUSTOMER_ID}/overview"]
    assert servicedesk.calls[0]["authorization"].startswith("Bearer ")
    english = text(ui.get(f"{OVERVIEW}?lang=en"))
    assert "Open an incident for this customer" in english and "Payment history" in english


def test_the_overview_links_to_the_customers_pages(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])

    page = text(ui.get(OVERVIEW))

    pages = re.search(r'<nav class="card" aria-labelledby="overview-pages" id="customer-pages">(.*?)</nav>', page, re.S)
    assert pages, "the overview does not link to the customer's pages"
    assert '<h2 id="overview-pages">Páginas de este cliente</h2>' in pages.group(1)
    links = re.findall(r'<li><a id="customer-page-[a-z-]+"\s+href="([^"]+)">([^<]+)</a></li>', pages.group(1))
    assert links == [(f"{path}?customer_id={CUSTOMER_ID}", label) for path, label in (
        ("/balances", "Saldos"), ("/invoices", "Facturas"), ("/statements", "Estados de cuenta"),
        ("/payments", "Historial de pagos"), ("/devices", "Equipos"), ("/incidents", "Incidencias"),
        ("/stock", "Inventario"), ("/toner-orders", "Pedidos de tóner"))]
    english = text(ui.get(f"{OVERVIEW}?lang=en"))
    assert "Pages of this customer" in english and f'href="/balances?customer_id={CUSTOMER_ID}">Balances</a>' in english


def test_each_unavailable_part_has_its_notice_and_the_rest_shows(ui, identity, servicedesk):
    servicedesk.unavailable = [{"service": "payment-service", "part": "payments", "detail": "no answer within 2 s"},
                        {"service": "billing-service", "part": "credit_status", "detail": "could not be reached"}]
    sign_in(ui, identity, ["agent"])

    page = text(ui.get(OVERVIEW))

    # Each notice names the part in the page's language; the services' English details stay out.
    assert re.search(r'id="unavailable-payments">\s*Por ahora no se muestra: Historial de pagos. '
                     r'El resto de la página está al día.\s*</p>', page)
    assert re.search(r'id="unavailable-credit_status">\s*Por ahora no se muestra: Situación de crédito. '
                     r'El resto de la página está al día.\s*</p>', page)
    assert "no answer within 2 s" not in page and "could not be reached" not in page
    assert "payment-service" not in page and "billing-service" not in page
    assert 'id="overview-payments"' not in page and 'data-credit=' not in page
    assert "laura@example.mx" in table(page, "overview-users")
    assert "SN-XK2201" in table(page, "overview-devices")


def test_unknown_customer_is_not_found(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    assert ui.get("/staff/customers/cust-nobody").status_code == 404


@pytest.mark.parametrize("role", ["admin", "billing", "device_admin", "operator"])
def test_others_are_refused_and_never_reach_the_services(ui, identity, servicedesk, role):
    sign_in(ui, identity, [role])
    before = len(identity.staff_calls)

    for path in ("/staff/customers", OVERVIEW):
        response = ui.get(path)
        assert response.status_code == 403, path
        assert "Su rol no da acceso a esta página." in text(response)
    home = text(ui.get("/"))
    refused_post = ui.post(CORRECT, data={"csrf_token": csrf_token(home), f"user-{USER_ID}-email": "x@example.mx"})

    assert refused_post.status_code == 403
    assert 'href="/staff/customers"' not in home
    assert servicedesk.calls == [] and len(identity.staff_calls) == before


def test_email_correction_reaches_identity(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get(OVERVIEW))
    overviews_before = len(servicedesk.calls)

    response = ui.post(CORRECT, data={f"user-{USER_ID}-csrf_token": form_csrf(page, USER_ID),
                                      f"user-{USER_ID}-email": " laura.mendez@example.mx "})

    assert response.status_code == 303
    # The user's company was checked at identity alone: no overview (and its three services) asked.
    assert len(servicedesk.calls) == overviews_before
    assert response.headers["Location"].endswith(f"{OVERVIEW}#overview-users")
    [patch] = identity.patches()
    assert patch["path"] == f"/api/v1/users/{USER_ID}" and patch["body"] == {"email": "laura.mendez@example.mx"}
    assert patch["authorization"].startswith("Bearer ")
    after = text(ui.get(OVERVIEW))
    assert "laura.mendez@example.mx" in after and 'class="notice notice-ok"' in after


def test_identitys_validation_error_shows_next_to_the_field(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get(OVERVIEW))

    response = ui.post(CORRECT, data={f"user-{USER_ID}-csrf_token": form_csrf(page, USER_ID),
                                      f"user-{USER_ID}-email": "laura-sin-arroba"})

    assert response.status_code == 400
    shown = text(response)
    [patch] = identity.patches()
    assert patch["body"] == {"email": "laura-sin-arroba"}
    form = re.search(rf'<form class="email-correction" method="post" id="email-form-{USER_ID}".*?</form>', shown, re.S)
    assert form, "the user's form is not on the page"
    assert 'class="field has-error"' in form.group(0)
    assert f'id="user-{USER_ID}-email-errors"' in form.group(0)
    # identity's field.invalid_email, in the page's language; identity's English is not shown.
    assert "Escriba un correo electrónico válido, como nombre@empresa.mx." in form.group(0)
    assert "Not a valid email address." not in shown
    assert 'value="laura-sin-arroba"' in form.group(0)  # what was typed stays to be fixed
    assert "laura@example.mx" in table(shown, "overview-users")  # and the rest of the overview is there


def test_an_empty_address_is_refused_before_any_call(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get(OVERVIEW))

    response = ui.post(CORRECT, data={f"user-{USER_ID}-csrf_token": form_csrf(page, USER_ID),
                                      f"user-{USER_ID}-email": "   "})

    assert response.status_code == 400
    assert "Este campo es obligatorio." in text(response)
    assert identity.patches() == []


def test_email_correction_without_csrf_token_is_refused(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])

    response = ui.post(CORRECT, data={f"user-{USER_ID}-email": "laura.mendez@example.mx"})

    assert response.status_code == 400
    assert "El formulario expiró" in text(response)
    assert identity.patches() == []


def test_another_customers_user_is_not_corrected_from_this_page(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get(OVERVIEW))

    response = ui.post(f"{OVERVIEW}/users/{OTHER_USER_ID}/email",
                       data={"csrf_token": csrf_token(page), f"user-{OTHER_USER_ID}-email": "x@example.mx"})

    assert response.status_code == 404
    assert identity.patches() == []


def test_the_customers_page_leads_to_the_payment_receipts_to_stamp(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    page = text(ui.get("/staff/customers"))
    assert '<a id="payment-receipts-link" href="/payment-receipts">Comprobantes de pago por timbrar</a>' in page
