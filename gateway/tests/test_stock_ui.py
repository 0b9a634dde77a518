"""Stock location and toner order pages against stand-ins playing identity and servicedesk's stock API."""
from __future__ import annotations

import re

import pytest

from conftest import csrf_token, serve, sign_in, stopped_url, text
from standin_stock import FakeStock

STOCK_PAGES = ("/stock", "/stock/loc-1", "/toner-orders")
PLAYED = ("identity", "servicedesk")


@pytest.fixture
def servicedesk(tokens):
    yield from serve(FakeStock(tokens))


def row(page: str, row_id: str) -> str:
    start = page.index(f'id="{row_id}"')
    return page[start:page.index("</tr>", start)]


@pytest.mark.parametrize("role", ["admin", "stock_admin", "stock_device_admin"])
def test_stock_people_see_locations_inventory_and_the_form(ui, identity, servicedesk, role):
    sign_in(ui, identity, [role])
    response = ui.get("/stock")
    page = text(response)
    assert response.status_code == 200
    assert 'href="/stock"' in page and 'href="/toner-orders"' in page
    assert 'id="stock-table"' in page and 'id="stock-form"' in page
    reforma = row(page, "location-loc-1")
    assert "Almacén Reforma" in reforma and "Av. Reforma 222, CDMX" in reforma
    # GPR-58 K: 2 on the shelf, reorder point 3: below it; GPR-58 C is not.
    low = reforma[reforma.index("GPR-58 K"):reforma.index("GPR-58 C")]
    assert "Bajo el punto de pedido" in low
    assert "Bajo el punto de pedido" not in reforma[reforma.index("GPR-58 C"):]
    assert "Bodega Ajena" not in page  # another customer's
    for call in servicedesk.calls:
        assert call["headers"]["authorization"].startswith("Bearer ") and "customer_id" not in call["args"]


@pytest.mark.parametrize("role", ["billing", "device_admin", "knowledge_user", "operator"])
def test_other_roles_have_no_stock_entries_and_are_refused(ui, identity, servicedesk, role):
    sign_in(ui, identity, [role])
    home = text(ui.get("/"))
    assert 'href="/stock"' not in home and 'href="/toner-orders"' not in home
    for path in STOCK_PAGES:
        response = ui.get(path)
        assert response.status_code == 403, path
        assert "Su rol no da acceso a esta página." in text(response)
    token = csrf_token(home)
    assert ui.post("/stock", data={"csrf_token": token, "name": "X", "shipping_address": "Y"}).status_code == 403
    assert ui.post("/stock/loc-1/items", data={"csrf_token": token, "toner_item": "T", "quantity": "1",
                                               "reorder_point": "1"}).status_code == 403
    assert servicedesk.calls == []


def test_new_location_posts_the_json_and_opens_it(ui, identity, servicedesk):
    sign_in(ui, identity, ["stock_admin"])
    token = csrf_token(text(ui.get("/stock")))
    response = ui.post("/stock", data={"csrf_token": token, "name": " Planta Querétaro ",
                                       "shipping_address": "Av. 5 de Febrero 10, Querétaro",
                                       "shipping_instructions": "Andén 3"})
    assert response.status_code == 302
    created = [loc for loc in servicedesk.locations.values() if loc["name"] == "Planta Querétaro"]
    assert len(created) == 1 and response.headers["Location"] == f"/stock/{created[0]['id']}"
    assert servicedesk.writes() == [{
        "method": "POST", "path": "/api/v1/stock-locations", "args": {},
        "headers": servicedesk.writes()[0]["headers"],
        "body": {"name": "Planta Querétaro", "shipping_address": "Av. 5 de Febrero 10, Querétaro",
                 "shipping_instructions": "Andén 3"}}]
    assert "Se creó el almacén Planta Querétaro." in text(ui.get(response.headers["Location"]))


def test_forms_without_csrf_are_refused_and_write_nothing(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    assert ui.post("/stock", data={"name": "X", "shipping_address": "Y"}).status_code == 400
    assert ui.post("/stock/loc-1", data={"name": "X", "shipping_address": "Y"}).status_code == 400
    assert ui.post("/stock/loc-1/items", data={"toner_item": "T", "quantity": "1",
                                               "reorder_point": "1"}).status_code == 400
    assert ui.post("/stock/loc-1/inventory", data={"toner_item-0": "GPR-58 K", "quantity-0": "9",
                                                   "reorder_point-0": "3"}).status_code == 400
    assert servicedesk.writes() == []


def test_missing_fields_are_named_and_nothing_is_sent(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    token = csrf_token(text(ui.get("/stock")))
    response = ui.post("/stock", data={"csrf_token": token, "name": "  ", "shipping_address": ""})
    assert response.status_code == 400
    page = text(response)
    assert 'id="name-errors"' in page and 'id="shipping_address-errors"' in page
    assert servicedesk.writes() == []


def test_location_page_edits_details(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/stock/loc-1"))
    assert 'id="location-form"' in page and "Recibe: Luis, de 9 a 14 h" in page
    response = ui.post("/stock/loc-1", data={"csrf_token": csrf_token(page), "name": "Almacén Reforma",
                                             "shipping_address": "Av. Reforma 222, piso 1, CDMX",
                                             "shipping_instructions": "Recibe: Marta"})
    assert response.status_code == 302 and response.headers["Location"] == "/stock/loc-1"
    assert servicedesk.writes()[-1]["body"] == {"name": "Almacén Reforma",
                                                "shipping_address": "Av. Reforma 222, piso 1, CDMX",
                                                "shipping_instructions": "Recibe: Marta"}
    assert servicedesk.locations["loc-1"]["shipping_instructions"] == "Recibe: Marta"


def test_levels_send_only_the_rows_that_changed(ui, identity, servicedesk):
    sign_in(ui, identity, ["stock_device_admin"])
    page = text(ui.get("/stock/loc-1"))
    assert re.search(r'name="quantity-0" id="quantity-0"\s+value="2"', page)
    response = ui.post("/stock/loc-1/inventory", data={
        "csrf_token": csrf_token(page),
        "toner_item-0": "GPR-58 K", "quantity-0": "10", "reorder_point-0": "3",
        "toner_item-1": "GPR-58 C", "quantity-1": "6", "reorder_point-1": "2"})
    assert response.status_code == 302
    assert [call["body"] for call in servicedesk.writes()] == [
        {"inventory": [{"toner_item": "GPR-58 K", "quantity": 10, "reorder_point": 3}]}]
    after = text(ui.get("/stock"))
    assert "Bajo el punto de pedido" not in row(after, "location-loc-1")


def test_a_bad_level_is_shown_on_its_row_and_nothing_is_sent(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/stock/loc-1"))
    response = ui.post("/stock/loc-1/inventory", data={
        "csrf_token": csrf_token(page),
        "toner_item-0": "GPR-58 K", "quantity-0": "-1", "reorder_point-0": "3",
        "toner_item-1": "GPR-58 C", "quantity-1": "7", "reorder_point-1": "2"})
    assert response.status_code == 400
    shown = text(response)
    assert re.search(r'<ul class="field-errors" id="errors-0"><li>Escriba un número entero, cero o más.</li>', shown)
    assert 'id="errors-1"' not in shown
    assert re.search(r'name="quantity-0" id="quantity-0"\s+value="-1"', shown)  # what was typed stays
    assert servicedesk.writes() == []


def test_servicedesk_validation_errors_are_shown_inline(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/stock/loc-1"))
    token = csrf_token(page)
    # Above servicedesk's ceiling: the page cannot know it, servicedesk names the field.
    levels = ui.post("/stock/loc-1/inventory", data={
        "csrf_token": token, "toner_item-0": "GPR-58 K", "quantity-0": "2000000", "reorder_point-0": "3"})
    assert levels.status_code == 400
    # marshmallow's Range message is field.out_of_range, said in the page's language.
    assert re.search(r'id="errors-0"><li>Este dato está fuera del rango aceptado.</li>', text(levels))
    assert "Must be greater than or equal to" not in text(levels)
    item = ui.post("/stock/loc-1/items", data={"csrf_token": token, "toner_item": "GPR-58 M",
                                               "quantity": "2000000", "reorder_point": "1"})
    assert item.status_code == 400
    assert re.search(r'id="quantity-errors">\s*<li>Este dato está fuera del rango aceptado.</li>', text(item))
    assert "Must be greater than or equal to" not in text(item)
    assert servicedesk.locations["loc-1"]["inventory"][0]["quantity"] == 2
    assert len(servicedesk.locations["loc-1"]["inventory"]) == 2


def test_add_item(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    page = text(ui.get("/stock/loc-2"))
    assert 'id="item-form"' in page
    response = ui.post("/stock/loc-2/items", data={"csrf_token": csrf_token(page), "toner_item": "GPR-58 Y",
                                                   "quantity": "4", "reorder_point": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/stock/loc-2"
    assert servicedesk.writes()[-1]["body"] == {"inventory": [{"toner_item": "GPR-58 Y", "quantity": 4,
                                                               "reorder_point": 1}]}
    # An item already kept (whatever its spacing or case) is not overwritten through this form.
    again = ui.post("/stock/loc-2/items", data={"csrf_token": csrf_token(page), "toner_item": "gpr-58  y",
                                                "quantity": "0", "reorder_point": "0"})
    assert again.status_code == 400 and 'id="toner_item-errors"' in text(again)
    assert len(servicedesk.writes()) == 1
    assert servicedesk.locations["loc-2"]["inventory"] == [{"toner_item": "GPR-58 Y", "quantity": 4,
                                                            "reorder_point": 1}]


def test_another_companys_location_is_not_found(ui, identity, servicedesk):
    sign_in(ui, identity, ["admin"])
    token = csrf_token(text(ui.get("/stock")))
    for path in ("/stock/loc-9", "/stock/no-such", "/stock/bad%20id"):
        response = ui.get(path)
        assert response.status_code == 404, path
        assert "Bodega Ajena" not in text(response)
    assert ui.post("/stock/loc-9", data={"csrf_token": token, "name": "Mía", "shipping_address": "Aquí"}).status_code == 404
    assert servicedesk.writes() == []


def test_agent_picks_a_customer_and_reads_without_forms(ui, identity, servicedesk):
    sign_in(ui, identity, ["agent"])
    first = text(ui.get("/stock"))
    assert 'id="customer"' in first and 'id="stock-table"' not in first
    assert servicedesk.calls == []
    page = text(ui.get("/stock?customer_id=cust-2"))
    assert "Bodega Ajena" in page and "Almacén Reforma" not in page
    assert servicedesk.calls[-1]["args"] == {"customer_id": "cust-2"}
    assert 'id="stock-form"' not in page
    # The navigation and the rows keep the chosen customer.
    assert 'href="/toner-orders?customer_id=cust-2"' in page
    assert 'href="/stock/loc-9?customer_id=cust-2"' in page
    detail = text(ui.get("/stock/loc-9?customer_id=cust-2"))
    for form in ('id="location-form"', 'id="item-form"', 'id="inventory-form"', 'name="quantity-0"'):
        assert form not in detail
    assert "TN-9" in detail
    orders = text(ui.get("/toner-orders?customer_id=cust-2"))
    assert 'id="order-ord-9"' in orders and 'id="order-ord-1"' not in orders
    token = csrf_token(page)
    assert ui.post("/stock?customer_id=cust-2", data={"csrf_token": token, "name": "X",
                                                       "shipping_address": "Y"}).status_code == 403
    assert servicedesk.writes() == []


def test_toner_orders_list_and_filter(ui, identity, servicedesk):
    sign_in(ui, identity, ["stock_admin"])
    response = ui.get("/toner-orders")
    page = text(response)
    assert response.status_code == 200 and 'id="toner-orders-table"' in page
    first = row(page, "order-ord-1")
    for shown in ("21/11/2026 10:30", "Por enviar", "Almacén Reforma", "SN-1001", "GPR-58 K", ">4<"):
        assert shown in first, shown
    assert 'href="/stock/loc-1"' in first
    assert "Enviado" in row(page, "order-ord-2")
    assert "ord-9" not in page
    shipped = text(ui.get("/toner-orders?status=shipped"))
    assert servicedesk.calls[-1]["args"] == {"status": "shipped"}
    assert 'id="order-ord-2"' in shipped and 'id="order-ord-1"' not in shipped
    ui.get("/toner-orders?status=lost")
    assert servicedesk.calls[-1]["args"] == {}


def test_servicedesk_down_answers_503_naming_it(make_gateway, identity, urls):
    ui = make_gateway({**urls, "servicedesk": stopped_url()}).test_client()
    sign_in(ui, identity, ["admin"])
    for path in STOCK_PAGES:
        response = ui.get(path)
        assert response.status_code == 503, path
        page = text(response)
        assert "La información de existencias no está disponible" in page
        assert "servicedesk-service" not in page  # the developer's text is for the log
