"""Service desk pages: the devices a user reaches (facts, location, meter readings) and incidents
(list, open, follow, comment, change status).

Every page calls servicedesk-service server-side with the signed-in user's own access token, so
the service checks roles, the customer and a device admin's assigned devices exactly as for an
API call. Customer users never name a customer; agents name one with ?customer_id= where a list
needs it (one device or incident is found by its id alone, within the agent's reach).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from portal_gateway.policy import DESK_USERS, DEVICE_EDITORS, METER_WRITERS
from portal_gateway.routing import IDENTITY, SERVICEDESK
from portal_gateway.web import api
from portal_gateway.web.api import Answer, ServiceUnavailable
from portal_gateway.web.desk_forms import (
    INCIDENT_CATEGORY_LABELS,
    category_choices,
    CommentForm,
    IncidentForm,
    LocationForm,
    ReadingForm,
    StatusForm,
    counter_label,
    reading_form,
)
from portal_gateway.web.formatting import day, moment
from portal_gateway.web.page_helpers import (
    NotThere,
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
from portal_gateway.web.refusals import refusal_sentence

desk = Blueprint("desk", __name__)

install_error_pages(desk, {
    SERVICEDESK: _l("The service desk is not available right now. Please try again in a few minutes."),
})

INCIDENT_STATUSES = ("open", "acknowledged", "in_progress", "resolved", "closed", "cancelled")
CUSTOMER_SIDE, VENDOR_SIDE = "customer", "vendor"
# servicedesk's transitions (domain/incidents.py) as each side may make them. They only choose
# which buttons the page shows: the service judges every move it is sent.
NEXT_STATUSES: dict[str, dict[str, tuple[str, ...]]] = {
    CUSTOMER_SIDE: {"open": ("cancelled",), "resolved": ("closed",)},
    VENDOR_SIDE: {"open": ("acknowledged",), "acknowledged": ("in_progress",), "in_progress": ("resolved",)},
}

STATUS_LABELS = {
    "open": _l("Open"),
    "acknowledged": _l("Acknowledged"),
    "in_progress": _l("In progress"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    # Only the customer cancels (the vendor resolves), and it reads so.
    "cancelled": _l("Cancelled by the customer"),
}
MOVE_LABELS = {
    "acknowledged": _l("Acknowledge"),
    "in_progress": _l("Start work"),
    "resolved": _l("Mark as resolved"),
    "cancelled": _l("Cancel the incident"),
    "closed": _l("Close the incident"),
}
SLA_LABELS = {"on_time": _l("On time"), "at_risk": _l("At risk"), "breached": _l("Breached")}
SIDE_LABELS = {CUSTOMER_SIDE: _l("Customer"), VENDOR_SIDE: _l("Service desk")}
DEVICE_STATUS_LABELS = {"active": _l("In service"), "retired": _l("Retired"), "removed": _l("Removed from the account")}


def _viewer():
    return viewer(DESK_USERS)


def _side(who: Viewer) -> str:
    return VENDOR_SIDE if who.is_staff else CUSTOMER_SIDE


def _ask(who: Viewer, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None,
         scoped: bool = False) -> Answer:
    """servicedesk with the viewer's token; 401, 403 and 404 end the page (page_helpers.call).

    Unscoped unless asked: a device or incident is named by its id, only lists name the customer.
    """
    return call(SERVICEDESK, method, path, who, body=body, params=params, scoped=scoped)


class Failed(Exception):
    """servicedesk refused a read the page needs, for a reason of its own; its answer says why."""

    def __init__(self, answer: Answer):
        super().__init__(answer.detail or str(answer.status))
        self.answer = answer


def _read(who: Viewer, path: str) -> dict[str, Any]:
    """One record the page cannot do without; any refusal other than the ones above is shown as such."""
    answer = _ask(who, "GET", path)
    if not answer.ok:
        raise Failed(answer)
    return answer.body


@desk.errorhandler(Failed)
def _failed(exc: Failed):
    return render_template("error.html", title=_("The request could not be completed"),
                           message=" ".join(problem_messages(exc.answer)), nav=g.get("nav")), exc.answer.status


def _place(form: FlaskForm, answer: Answer, fields: dict[str, Any]) -> None:
    place_errors(answer, form.form_errors, on_fields(fields))


def _saved(message: str, endpoint: str, who: Viewer, **values: str):
    """A write the service accepted: its message flashed, and the page shown again by a GET, so a
    reload does not send the form twice; an agent keeps the customer they chose."""
    flash(message)
    return redirect(url_for(endpoint, **values, **who.scope()), 303)


# App-wide, so other pages that show devices or incidents (the staff overview) use _desk.html too.
@desk.app_context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "move_labels": MOVE_LABELS, "sla_labels": SLA_LABELS,
            "side_labels": SIDE_LABELS, "device_status_labels": DEVICE_STATUS_LABELS,
            "category_labels": INCIDENT_CATEGORY_LABELS, "device_status": device_status,
            "counter_label": counter_label}


# Not "count": that is Jinja's own alias of length.
@desk.app_template_filter("thousands")
def thousands(value: object) -> str:
    """A counter value with thousands separators (Mexico writes 1,234,567)."""
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def device_status(device: dict[str, Any]) -> str:
    """active or retired as servicedesk says; removed once it left the customer's account (staff still see it)."""
    return "removed" if device.get("removed_at") else str(device.get("status") or "")


def _in_service(device: dict[str, Any]) -> bool:
    return device_status(device) == "active"


# --- devices ------------------------------------------------------------------------------------

@desk.get("/devices")
def devices():
    who = _viewer()
    if who.needs_customer:
        return page("desk_devices.html", who, items=None, problems=[])
    answer = _ask(who, "GET", "/api/v1/devices", scoped=True)
    if not answer.ok:
        return page("desk_devices.html", who, answer.status, items=[], problems=problem_messages(answer))
    return page("desk_devices.html", who, items=items_of(answer), problems=[])


def _device(who: Viewer, device_id: str) -> dict[str, Any]:
    return _read(who, f"/api/v1/devices/{id_or_404(device_id)}")


def _customer_of(who: Viewer, device: dict[str, Any]) -> dict[str, Any]:
    """The device's customer as identity knows it, for its system account number.

    A customer user's comes with /me. An agent's is asked of identity; when identity cannot say,
    the page shows the rest and leaves the number out.
    """
    if not who.is_staff:
        return who.me.get("customer") or {}
    customer_id = clean(str(device.get("customer_id") or ""))
    if customer_id is None:
        return {}
    try:
        answer = api.call(IDENTITY, "GET", f"/api/v1/customers/{customer_id}", token=who.token)
    except ServiceUnavailable:
        return {}
    return answer.body if answer.ok else {}


def _counters(device: dict[str, Any]) -> list[str]:
    return [str(name) for name in device.get("counters") or []]


def _reading_table(device: dict[str, Any], readings: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The history as one row per day and a column per counter: the device's counters in its order,
    then any an older reading holds that the device no longer lists."""
    columns = _counters(device)
    rows = []
    for reading in readings:
        values = {}
        for item in reading.get("counters") or []:
            name = str(item.get("counter"))
            values[name] = item.get("value")
            if name not in columns:
                columns.append(name)
        rows.append({**reading, "values": values})
    return columns, rows


def _device_page(who: Viewer, device: dict[str, Any], *, location_form: LocationForm | None = None,
                 form: ReadingForm | None = None, http_status: int = 200):
    device_id = id_or_404(str(device.get("id")))
    locations = items_of(_ask(who, "GET", f"/api/v1/devices/{device_id}/locations"))
    readings = items_of(_ask(who, "GET", f"/api/v1/devices/{device_id}/meter-readings"))
    if location_form is None and who.roles & DEVICE_EDITORS:
        location_form = LocationForm(formdata=None)
    # A retired or removed device takes no readings: the service would refuse every one; nor does
    # one with no counters, which has nothing to read.
    if form is None and who.roles & METER_WRITERS and _in_service(device) and _counters(device):
        form = reading_form(_counters(device), formdata=None)
    columns, rows = _reading_table(device, readings)
    return page("desk_device.html", who, http_status, device=device, customer=_customer_of(who, device),
                locations=locations, readings=rows, reading_columns=columns, location_form=location_form,
                reading_form=form, meter_writer=bool(who.roles & METER_WRITERS))


@desk.get("/devices/<device_id>")
def device(device_id: str):
    who = _viewer()
    return _device_page(who, _device(who, device_id))


@desk.post("/devices/<device_id>/location")
def move_device(device_id: str):
    who = _viewer()
    if not who.roles & DEVICE_EDITORS:
        raise Refused()
    found = _device(who, device_id)
    form = LocationForm()
    if form.validate_on_submit():
        answer = _ask(who, "PATCH", f"/api/v1/devices/{device_id}", body={"location": form.location.data.strip()})
        if answer.ok:
            return _saved(_("The device's new location was saved."), "desk.device", who, device_id=device_id)
        _place(form, answer, {"location": form.location})
    return _device_page(who, found, location_form=form, http_status=400)


@desk.post("/devices/<device_id>/meter-readings")
def submit_reading(device_id: str):
    who = _viewer()
    if not who.roles & METER_WRITERS:
        raise Refused()
    found = _device(who, device_id)
    form = reading_form(_counters(found))
    if form.validate_on_submit():
        values = form.values()
        answer = _ask(who, "POST", f"/api/v1/devices/{device_id}/meter-readings", body={"counters": values})
        if answer.ok:
            said = ", ".join(_("%(counter)s: %(value)s", counter=counter_label(name), value=thousands(value))
                             for name, value in values.items())
            return _saved(_("The reading was accepted: %(counters)s.", counters=said),
                          "desk.device", who, device_id=device_id)
        _place_reading_refusal(form, answer)
    # Refused, by the form or by the service: 400, so it is never taken for an accepted reading.
    return _device_page(who, found, form=form, http_status=400)


def _place_reading_refusal(form: ReadingForm, answer: Answer) -> None:
    fields = {f"counters.{name}": field for name, field in form.counter_fields().items()}
    previous = answer.body.get("previous")
    if answer.status == 422 and isinstance(previous, dict) and previous:
        # Each lower counter's previous figures (the service's `previous`), next to its own field,
        # in the page's language; a counter the form does not show is said above it.
        for name, figures in previous.items():
            figures = figures if isinstance(figures, dict) else {}
            sentence = _("The reading cannot be lower than the previous accepted reading: %(value)s, of %(date)s.",
                         value=thousands(figures.get("value")), date=day(figures.get("read_on")))
            field = fields.get(f"counters.{name}")
            if field is not None:
                field.errors = [*field.errors, sentence]
            else:
                form.form_errors.append(_("%(counter)s: %(value)s", counter=counter_label(name), value=sentence))
    elif answer.status == 409 and answer.body.get("read_on"):
        form.form_errors.append(_("This device already has a reading of %(date)s; one reading a day is accepted.",
                                  date=day(answer.body["read_on"])))
    elif answer.status == 409:
        form.form_errors.append(refusal_sentence(answer.code, answer.status))
    else:
        _place(form, answer, fields)


# --- incidents ----------------------------------------------------------------------------------

def _device_choices(devices: list[dict[str, Any]]) -> list[SelectChoice]:
    """The devices an incident can be opened for: those in service, named by serial, model and place."""
    return [SelectChoice(str(d.get("id")), " · ".join(str(part) for part in (d.get("serial_number"), d.get("model"),
                                                                             d.get("location")) if part))
            for d in devices if _in_service(d)]


@desk.get("/incidents")
def incidents():
    who = _viewer()
    status = request.args.get("status") if request.args.get("status") in INCIDENT_STATUSES else None
    context: dict[str, Any] = {"status": status, "items": None, "devices": {}, "problems": []}
    if who.needs_customer:
        return page("desk_incidents.html", who, **context)
    answer = _ask(who, "GET", "/api/v1/incidents", params={"status": status}, scoped=True)
    if not answer.ok:
        return page("desk_incidents.html", who, answer.status,
                    **{**context, "items": [], "problems": problem_messages(answer)})
    # Incidents name their device by id; the table shows its serial number and model.
    listed = _ask(who, "GET", "/api/v1/devices", scoped=True)
    devices = {str(d.get("id")): d for d in items_of(listed)} if listed.ok else {}
    return page("desk_incidents.html", who, **{**context, "items": items_of(answer), "devices": devices})


@desk.route("/incidents/new", methods=["GET", "POST"])
def new_incident():
    who = _viewer()
    if who.needs_customer:
        return page("desk_incident_new.html", who, form=None)
    listed = _ask(who, "GET", "/api/v1/devices", scoped=True)
    if not listed.ok:
        raise Failed(listed)
    categories = _ask(who, "GET", "/api/v1/incident-categories")
    if not categories.ok:
        raise Failed(categories)
    form = IncidentForm()
    form.device_id.choices = _device_choices(items_of(listed))
    form.category.choices = category_choices([str(item.get("key")) for item in items_of(categories)])
    if request.method == "GET":
        wanted = request.args.get("device_id")
        if wanted in {choice.value for choice in form.device_id.choices}:
            form.device_id.data = wanted
        # An agent opens it for one of the customer's people, whose details the agent writes in.
        if not who.is_staff:
            form.contact_name.data = who.me.get("name") or ""
            form.contact_email.data = who.me.get("email") or ""
        return page("desk_incident_new.html", who, form=form)
    if form.validate_on_submit():
        answer = _ask(who, "POST", "/api/v1/incidents", body={
            "device_id": form.device_id.data, "category": form.category.data,
            "description": form.description.data.strip(),
            "contact": {"name": form.contact_name.data.strip(), "phone": form.contact_phone.data.strip(),
                        "email": form.contact_email.data.strip()},
        })
        incident_id = clean(str(answer.body.get("id") or "")) if answer.ok else None
        if incident_id:
            return _saved(_("Incident %(number)s was opened and a confirmation was mailed. A response is due by "
                            "%(due)s (Mexico City time).", number=str(answer.body.get("number") or ""),
                            due=moment(answer.body.get("response_due_at"))), "desk.incident", who,
                          incident_id=incident_id)
        if answer.ok:
            form.form_errors.append(_("The service desk did not say which incident it opened. "
                                      "Look for it in the list before opening it again."))
        else:
            _place(form, answer, {"device_id": form.device_id, "category": form.category,
                                  "description": form.description, "contact.name": form.contact_name,
                                  "contact.phone": form.contact_phone, "contact.email": form.contact_email})
    return page("desk_incident_new.html", who, 400, form=form)


def _incident_page(who: Viewer, incident_id: str, *, comment_form: CommentForm | None = None,
                   status_form: StatusForm | None = None, http_status: int = 200):
    found = _read(who, f"/api/v1/incidents/{id_or_404(incident_id)}")
    device = None
    device_id = clean(str(found.get("device_id") or ""))
    if device_id:
        # A device removed from the account since is no longer the customer's to see: the id stays.
        try:
            answer = _ask(who, "GET", f"/api/v1/devices/{device_id}")
        except NotThere:
            answer = None
        device = answer.body if answer is not None and answer.ok else None
    moves = NEXT_STATUSES[_side(who)].get(str(found.get("status")), ())
    return page("desk_incident.html", who, http_status, incident=found, device=device, moves=moves,
                comment_form=comment_form or CommentForm(formdata=None),
                status_form=status_form or StatusForm(formdata=None))


@desk.get("/incidents/<incident_id>")
def incident(incident_id: str):
    who = _viewer()
    return _incident_page(who, incident_id)


@desk.post("/incidents/<incident_id>/comments")
def comment(incident_id: str):
    who = _viewer()
    id_or_404(incident_id)
    form = CommentForm()
    if form.validate_on_submit():
        answer = _ask(who, "POST", f"/api/v1/incidents/{incident_id}/comments", body={"text": form.text.data.strip()})
        if answer.ok:
            return _saved(_("Your comment was added."), "desk.incident", who, incident_id=incident_id)
        _place(form, answer, {"text": form.text})
    return _incident_page(who, incident_id, comment_form=form, http_status=400)


@desk.post("/incidents/<incident_id>/status")
def change_status(incident_id: str):
    who = _viewer()
    id_or_404(incident_id)
    form = StatusForm()
    if form.validate_on_submit():
        target = form.status.data
        if target not in INCIDENT_STATUSES:
            form.status.errors = [_("Choose what to do with the incident.")]
        else:
            answer = _ask(who, "POST", f"/api/v1/incidents/{incident_id}/status", body={"status": target})
            if answer.ok:
                return _saved(_("The incident is now: %(status)s.", status=STATUS_LABELS[target]), "desk.incident",
                              who, incident_id=incident_id)
            _place(form, answer, {"status": form.status})
    return _incident_page(who, incident_id, status_form=form, http_status=400)
