"""The customer picker of the pages where an agent names a customer (billing, devices, incidents,
stock): an RFC, a company name or an account number, found as /staff/customers finds it, against
stand-ins playing identity's directory, servicedesk, billing and payment (docs/api.md)."""
from __future__ import annotations

import html
import re

import pytest

from conftest import field_errors, serve, sign_in
from standin_staff import CUSTOMERS, OTHER_CUSTOMER, THIRD_CUSTOMER, StaffDesk, StaffIdentity
from standins import CUSTOMER_ID, RFC

IDENTITY = StaffIdentity
PLAYED = ("identity", "servicedesk", "billing", "payment")


@pytest.fixture
def servicedesk(tokens, identity):
    yield from serve(StaffDesk(tokens, identity))


def text(response) -> str:
    # Names with accents and the quotes around what was typed, as a reader sees them.
    return html.unescape(response.get_data(as_text=True))


def picked(response) -> str:
    """Where the picker sent the agent: the same page, for the one customer found."""
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def picker_input(page: str) -> str:
    match = re.search(r'<input id="customer" name="customer"[^>]*>', page)
    assert match, "no customer picker on the page"
    return match.group(0)


def test_by_rfc_the_page_shows_that_customer_by_name_and_rfc(ui, identity, billing):
    sign_in(ui, identity, ["agent"])

    for typed in (RFC, RFC.lower(), f"  {RFC} "):
        assert picked(ui.get("/balances", query_string={"customer": typed})) == f"/balances?customer_id={CUSTOMER_ID}"
    page = text(ui.get(f"/balances?customer_id={CUSTOMER_ID}"))

    assert "F-1001" in page and "F-9001" not in page
    assert billing.calls[-1]["args"]["customer_id"] == CUSTOMER_ID
    chosen = re.search(r'<p class="card" id="chosen-customer">(.*?)</p>', page, re.S)
    assert chosen, "the page does not say which customer it shows"
    assert "Cliente consultado: Copias del Centro SA de CV, RFC CME850101AB1." in chosen.group(1)
    assert f'href="/staff/customers/{CUSTOMER_ID}"' in chosen.group(1)  # its overview
    # The field takes the next search; the chosen customer's id is not written in it.
    assert 'value=""' in picker_input(page)
    assert '<label for="customer">Cliente (RFC, nombre o número de cuenta)</label>' in page
    assert "Id del cliente" not in page and "Customer shown" not in page


def test_by_name_without_accents_or_case_keeping_the_other_parameters(ui, identity, billing, servicedesk):
    sign_in(ui, identity, ["agent"])

    assert picked(ui.get("/invoices", query_string={"status": "open", "customer": "IMPRESIONES DEL BAJIO"})) \
        == f"/invoices?status=open&customer_id={OTHER_CUSTOMER}"
    assert picked(ui.get("/devices", query_string={"customer": "bajío"})) == f"/devices?customer_id={OTHER_CUSTOMER}"
    # A customer named before is replaced by the one typed.
    assert picked(ui.get("/payments", query_string={"customer_id": CUSTOMER_ID, "customer": "Bajio"})) \
        == f"/payments?customer_id={OTHER_CUSTOMER}"
    page = text(ui.get(f"/invoices?status=open&customer_id={OTHER_CUSTOMER}"))
    assert "F-9001" in page and "Impresiones del Bajío SA, RFC IMP990202XY3" in page


def test_by_account_number_or_id(ui, identity, billing, servicedesk):
    sign_in(ui, identity, ["agent"])

    assert picked(ui.get("/payments?customer=009900")) == f"/payments?customer_id={OTHER_CUSTOMER}"
    assert picked(ui.get("/statements?customer=005301")) == f"/statements?customer_id={CUSTOMER_ID}"
    assert picked(ui.get("/stock?customer=sys-90210")) == f"/stock?customer_id={THIRD_CUSTOMER}"
    # 005300 also begins the third company's 0053001: the company whose number it is, is meant.
    assert picked(ui.get("/incidents?customer=005300")) == f"/incidents?customer_id={CUSTOMER_ID}"
    # An id (a link's, or copied from elsewhere) still names its customer.
    assert picked(ui.get(f"/toner-orders?customer={OTHER_CUSTOMER}")) == f"/toner-orders?customer_id={OTHER_CUSTOMER}"
    # identity's directory was read with the agent's own token; nothing else was asked yet.
    assert identity.staff_calls and all(call["authorization"].startswith("Bearer ") for call in identity.staff_calls)
    assert {call["path"] for call in identity.staff_calls} == {"/api/v1/customers"}
    assert billing.calls == [] and servicedesk.calls == []


def test_several_matches_are_a_list_of_links_to_choose_from(ui, identity, billing):
    sign_in(ui, identity, ["agent"])

    response = ui.get("/balances?account=005300&customer=copias")

    assert response.status_code == 200
    page = text(response)
    listed = re.search(r'<div class="card" id="customer-matches">(.*?)</div>', page, re.S)
    assert listed, "no list of the customers found"
    assert '<p id="customer-matches-intro">Varios clientes coinciden con “copias”. Elija uno:</p>' in listed.group(1)
    assert '<ul class="links" aria-labelledby="customer-matches-intro">' in listed.group(1)
    items = dict(re.findall(r'<li id="match-([^"]+)">(.*?)</li>', listed.group(1), re.S))
    assert list(items) == [CUSTOMER_ID, THIRD_CUSTOMER]  # as the directory lists them, by name
    # Each links to this page for that customer, its other parameters kept, and says name, RFC, accounts.
    assert f'<a href="/balances?account=005300&customer_id={CUSTOMER_ID}">Copias del Centro SA de CV</a>' \
        in items[CUSTOMER_ID]
    for shown in ("RFC CME850101AB1", "SYS-77120", "005300, 005301"):
        assert shown in items[CUSTOMER_ID], shown
    assert f'<a href="/balances?account=005300&customer_id={THIRD_CUSTOMER}">Copias del Norte SA de CV</a>' \
        in items[THIRD_CUSTOMER]
    for shown in ("RFC CNO010101AA1", "SYS-90210", "0053001"):
        assert shown in items[THIRD_CUSTOMER], shown
    # The field keeps what was typed and is described by the list; nothing is read until one is chosen.
    field = picker_input(page)
    assert 'value="copias"' in field and 'aria-describedby="customer-matches-intro"' in field
    assert 'id="chosen-customer"' not in page and 'id="balances-table"' not in page
    assert billing.calls == []
    english = text(ui.get("/balances?customer=copias&lang=en"))
    assert "Several customers match “copias”. Choose one:" in english and "Varios clientes" not in english


def test_more_matches_than_listed_ask_for_a_narrower_search(ui, identity, billing, monkeypatch):
    monkeypatch.setattr("portal_gateway.web.page_helpers.MAX_PICKED", 1)
    sign_in(ui, identity, ["agent"])

    page = text(ui.get("/invoices?customer=SA"))

    assert len(re.findall(r'<li id="match-', page)) == 1
    assert re.search(r'<p class="hint" id="more-matches">\s*2 más coinciden; precise la búsqueda.\s*</p>', page)


def test_no_match_is_said_next_to_the_field(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])

    response = ui.get("/devices?customer=zzz")

    assert response.status_code == 200
    page = text(response)
    assert "Ningún cliente coincide con “zzz”. Revise el RFC, la razón social o el número de cuenta." \
        in field_errors(page, "customer")
    field = picker_input(page)
    assert 'value="zzz"' in field and 'aria-describedby="customer-errors"' in field and 'aria-invalid="true"' in field
    assert 'class="field has-error"' in page
    assert 'id="customer-matches"' not in page and 'id="chosen-customer"' not in page
    assert "No customer matches" not in page
    assert servicedesk.calls == []
    english = text(ui.get("/devices?customer=zzz&lang=en"))
    assert "No customer matches “zzz”. Check the RFC, the company name or the account number." \
        in field_errors(english, "customer")


def test_without_a_search_the_field_says_what_to_type(ui, identity, billing):
    sign_in(ui, identity, ["agent"])

    page = text(ui.get("/statements?customer=%20%20"))

    assert re.search(r'<p class="hint" id="customer-hint">Escriba el RFC, la razón social o el número de cuenta del '
                     r'cliente cuya facturación desea consultar.</p>', page)
    assert 'aria-describedby="customer-hint"' in picker_input(page)
    assert identity.staff_calls == [] and billing.calls == []


def test_a_directory_that_is_down_is_said_next_to_the_field(ui, identity, billing):
    sign_in(ui, identity, ["agent"])
    identity.directory_down = True

    searched = ui.get("/balances?customer=copias")
    chosen = text(ui.get(f"/balances?customer_id={CUSTOMER_ID}"))

    assert searched.status_code == 200
    down = "El directorio de clientes no está disponible en este momento. Intente de nuevo en unos minutos."
    assert down in field_errors(text(searched), "customer")
    # A customer already chosen is still read; only its name cannot be said.
    assert "F-1001" in chosen and down in field_errors(chosen, "customer")
    assert 'id="chosen-customer"' not in chosen
    assert "The database is not answering." not in chosen


def test_an_unknown_id_is_said(ui, identity, billing):
    sign_in(ui, identity, ["agent"])

    page = text(ui.get("/invoices?customer_id=cust-nobody"))

    assert "Ningún cliente del directorio tiene este id. Busque al cliente por RFC, nombre o número de cuenta." \
        in field_errors(page, "customer")


@pytest.mark.parametrize("role", ["admin", "billing"])
def test_customer_users_never_pick_another_customer(ui, identity, billing, role):
    sign_in(ui, identity, [role])
    before = len(identity.staff_calls)

    response = ui.get("/balances?customer=IMP990202XY3")

    assert response.status_code == 200
    page = text(response)
    assert "F-1001" in page and "F-9001" not in page
    assert 'id="customer"' not in page
    assert len(identity.staff_calls) == before


def test_from_the_overview_to_the_customers_balances(ui, identity, servicedesk, billing):
    sign_in(ui, identity, ["agent"])
    overview = text(ui.get(f"/staff/customers/{OTHER_CUSTOMER}"))
    link = re.search(r'id="customer-page-billing-balances"\s+href="([^"]+)"', overview)
    assert link and link.group(1) == f"/balances?customer_id={OTHER_CUSTOMER}"

    page = text(ui.get(link.group(1)))

    assert "F-9001" in page
    assert f"Cliente consultado: {CUSTOMERS[OTHER_CUSTOMER]['name']}, RFC {CUSTOMERS[OTHER_CUSTOMER]['rfc']}." in page
