"""Stock locations for automatic toner replenishment (e-Maintenance) and the toner orders they
lead to: the list with what runs low, one location's details and levels, the orders.

servicedesk-service keeps all of it and is called with the signed-in user's own token. A
customer's admin and stock people edit; agents read any customer's, naming it with ?customer_id=.
"""
from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal_gateway.policy import STOCK_EDITORS, STOCK_READERS
from portal_gateway.routing import SERVICEDESK
from portal_gateway.web.page_helpers import (
    Refused,
    Viewer,
    call,
    clean,
    id_or_404,
    install_error_pages,
    items_of,
    page,
    viewer,
)
from portal_gateway.web.form_errors import on_fields, place_errors, problem_messages
from portal_gateway.web.stock_forms import InventoryForm, StockLocationForm, TonerItemForm

stock = Blueprint("stock", __name__)

ORDER_STATUSES = ("open", "shipped", "cancelled")
# Their own words, not the incidents' "Open" and "Cancelled": in Spanish an order (el pedido)
# takes other endings than an incident (la incidencia).
ORDER_STATUS_NAMES = {"open": _l("Waiting to ship"), "shipped": _l("Shipped"),
                      "cancelled": _l("Cancelled by the vendor")}
_COUNT = re.compile(r"\A\d{1,7}\Z")
_LEVEL_FIELD = re.compile(r"\Ainventory\.(\d+)\.(\w+)\Z")
MAX_ROWS = 200  # as many levels as servicedesk takes in one change

install_error_pages(stock, {
    SERVICEDESK: _l("Stock information is not available right now. Please try again in a few minutes."),
})


def _reader():
    return viewer(STOCK_READERS)


def can_edit(who: Viewer) -> bool:
    """A customer's admin or stock people: staff read stock, they never change it."""
    return not who.is_staff and bool(who.roles & STOCK_EDITORS)


def _editor():
    who = _reader()
    if not can_edit(who):
        raise Refused()
    return who


def same_item(toner_item: str) -> str:
    """Toner codes as servicedesk compares them: case and spacing do not make another item."""
    return " ".join(toner_item.split()).upper()


# --- the list and a new location -------------------------------------------------------------

@stock.route("/stock", methods=["GET", "POST"])
def locations():
    who = _reader() if request.method == "GET" else _editor()
    form = StockLocationForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = call(SERVICEDESK, "POST", "/api/v1/stock-locations", who, body=_details(form))
        if answer.ok:
            flash(_("The stock location %(name)s was created. Add the toner items it keeps.",
                    name=answer.body.get("name") or form.name.data.strip()))
            created = clean(str(answer.body.get("id") or ""))
            return redirect(url_for("stock.location", location_id=created) if created else url_for("stock.locations"))
        place_errors(answer, form_errors, on_fields(form._fields))
    context = {"form": form if can_edit(who) else None, "form_errors": form_errors, "items": None, "problems": []}
    if who.needs_customer:
        return page("stock.html", who, **context)
    listing = call(SERVICEDESK, "GET", "/api/v1/stock-locations", who)
    context.update(items=items_of(listing), problems=[] if listing.ok else problem_messages(listing))
    status = 400 if form_errors or form.errors else (200 if listing.ok else listing.status)
    return page("stock.html", who, status, **context)


def _details(form: StockLocationForm) -> dict[str, str]:
    return {"name": form.name.data.strip(), "shipping_address": form.shipping_address.data.strip(),
            "shipping_instructions": (form.shipping_instructions.data or "").strip()}


# --- one location ----------------------------------------------------------------------------

def _location(who: Viewer, location_id: str) -> dict[str, Any]:
    """One of the company's stock locations; another company's answers 404, like an unknown id."""
    return call(SERVICEDESK, "GET", f"/api/v1/stock-locations/{id_or_404(location_id)}", who, scoped=False).body


def _levels(location: dict[str, Any]) -> list[dict[str, Any]]:
    return [level for level in location.get("inventory") or [] if isinstance(level, dict)]


def _location_page(who: Viewer, location: dict[str, Any], http_status: int = 200, **forms):
    editable = can_edit(who)
    context: dict[str, Any] = {
        "location": location, "levels": _levels(location), "editable": editable,
        "details_form": None, "item_form": None, "inventory_form": None,
        "details_errors": [], "item_errors": [], "inventory_errors": [], "entered": {}, "row_errors": {},
    }
    if editable:
        context["details_form"] = StockLocationForm(formdata=None, data={
            "name": location.get("name"), "shipping_address": location.get("shipping_address"),
            "shipping_instructions": location.get("shipping_instructions")})
        context["item_form"] = TonerItemForm(formdata=None)
        context["inventory_form"] = InventoryForm(formdata=None)
    context.update(forms)
    return page("stock_location.html", who, http_status, **context)


@stock.route("/stock/<location_id>", methods=["GET", "POST"])
def location(location_id: str):
    """The location itself; a POST changes its name, shipping address and instructions."""
    who = _reader() if request.method == "GET" else _editor()
    current = _location(who, location_id)
    if request.method == "GET":
        return _location_page(who, current)
    form = StockLocationForm()
    errors: list[str] = []
    if form.validate_on_submit():
        answer = call(SERVICEDESK, "PATCH", f"/api/v1/stock-locations/{location_id}", who, body=_details(form),
                      scoped=False)
        if answer.ok:
            flash(_("The stock location was saved."))
            return redirect(url_for("stock.location", location_id=location_id))
        place_errors(answer, errors, on_fields(form._fields))
    return _location_page(who, current, 400, details_form=form, details_errors=errors)


@stock.post("/stock/<location_id>/items")
def add_item(location_id: str):
    who = _editor()
    current = _location(who, location_id)
    form = TonerItemForm()
    errors: list[str] = []
    if form.validate_on_submit():
        item = form.toner_item.data.strip()
        # An inventory entry sets the item's level: naming one already kept would overwrite it.
        if same_item(item) in {same_item(str(level.get("toner_item") or "")) for level in _levels(current)}:
            form.toner_item.errors = [_("This item is already kept here; change its level in the table.")]
        else:
            entry = {"toner_item": item, "quantity": form.quantity.data, "reorder_point": form.reorder_point.data}
            answer = call(SERVICEDESK, "PATCH", f"/api/v1/stock-locations/{location_id}", who,
                          body={"inventory": [entry]}, scoped=False)
            if answer.ok:
                flash(_("%(item)s was added.", item=item))
                return redirect(url_for("stock.location", location_id=location_id))
            # inventory.0.quantity names the one entry sent: next to the item form's own field.
            place_errors(answer, errors, on_fields(form._fields, _entry_field))
    return _location_page(who, current, 400, item_form=form, item_errors=errors)


def _entry_field(name: str) -> str:
    match = _LEVEL_FIELD.match(name)
    return match.group(2) if match else name


def read_levels(levels: list[dict[str, Any]]) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """The levels table as sent: {toner item: {quantity, reorder_point}} with the entered text, and
    the rows' problems by toner item. Rows name their item in toner_item-<n>."""
    kept = {str(level.get("toner_item")) for level in levels}
    entered: dict[str, dict[str, str]] = {}
    problems: dict[str, list[str]] = {}
    for n in range(MAX_ROWS):
        item = request.form.get(f"toner_item-{n}")
        if item is None:
            break
        if item not in kept:
            problems.setdefault("_", []).append(
                _("The item %(item)s is no longer kept here. Reload the page.", item=item))
            continue
        row = {name: (request.form.get(f"{name}-{n}") or "").strip() for name in ("quantity", "reorder_point")}
        entered[item] = row
        if not all(_COUNT.match(value) for value in row.values()):
            problems.setdefault(item, []).append(_("Enter a whole number, zero or more."))
    return entered, problems


@stock.post("/stock/<location_id>/inventory")
def update_levels(location_id: str):
    who = _editor()
    current = _location(who, location_id)
    # No form to validate: its one field, the CSRF token, is checked for every POST before the
    # view runs; the rows are read by read_levels().
    levels = _levels(current)
    entered, row_errors = read_levels(levels)
    if row_errors:
        return _location_page(who, current, 400, entered=entered, row_errors=row_errors,
                              inventory_errors=row_errors.pop("_", []))
    # Only the rows that differ from what servicedesk holds now: a level someone else just
    # changed is not put back by an untouched row.
    held = {str(level.get("toner_item")): level for level in levels}
    changes = [{"toner_item": item, "quantity": int(row["quantity"]), "reorder_point": int(row["reorder_point"])}
               for item, row in entered.items()
               if (int(row["quantity"]), int(row["reorder_point"]))
               != (held[item].get("quantity"), held[item].get("reorder_point"))]
    if not changes:
        flash(_("Nothing was changed."))
        return redirect(url_for("stock.location", location_id=location_id))
    answer = call(SERVICEDESK, "PATCH", f"/api/v1/stock-locations/{location_id}", who,
                  body={"inventory": changes}, scoped=False)
    if answer.ok:
        flash(_("The inventory levels were saved."))
        return redirect(url_for("stock.location", location_id=location_id))
    inventory_errors: list[str] = []

    def next_to_rows(name: str, messages: list[str]) -> bool:
        # inventory.N.… is the N-th change sent: its messages go on that item's row.
        match = _LEVEL_FIELD.match(name)
        if match and int(match.group(1)) < len(changes):
            row_errors.setdefault(changes[int(match.group(1))]["toner_item"], []).extend(messages)
            return True
        return False

    place_errors(answer, inventory_errors, next_to_rows)
    return _location_page(who, current, 400, entered=entered, row_errors=row_errors,
                          inventory_errors=inventory_errors)


# --- toner orders ----------------------------------------------------------------------------

@stock.get("/toner-orders")
def toner_orders():
    who = _reader()
    status = request.args.get("status") if request.args.get("status") in ORDER_STATUSES else None
    context = {"status": status, "items": None, "problems": [], "status_names": ORDER_STATUS_NAMES}
    if who.needs_customer:
        return page("toner_orders.html", who, **context)
    answer = call(SERVICEDESK, "GET", "/api/v1/toner-orders", who, params={"status": status})
    context.update(items=items_of(answer), problems=[] if answer.ok else problem_messages(answer))
    return page("toner_orders.html", who, 200 if answer.ok else answer.status, **context)
