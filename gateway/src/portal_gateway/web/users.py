"""User administration for a customer's admin: the company's users, inviting one, changing a
user's name and roles, disabling one, and which devices a device admin is in charge of.

Users live in identity-service (which mails the invitation and enforces the role rules), the
device assignments in servicedesk-service; both are called with the admin's own token.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from portal_shared.auth.roles import ADMIN, DEVICE_ADMIN, STOCK_DEVICE_ADMIN

from portal_gateway.routing import IDENTITY, SERVICEDESK
from portal_gateway.web.api import ServiceUnavailable
from portal_gateway.web.nav import USER_STATUS_NAMES
from portal_gateway.web.page_helpers import (
    ID,
    NotThere,
    Viewer,
    call,
    id_or_404,
    install_error_pages,
    items_of,
    page,
    viewer,
)
from portal_gateway.web.form_errors import on_fields, place_errors, problem_messages
from portal_gateway.web.user_forms import AssignmentForm, DisableUserForm, InviteForm, UserForm

users = Blueprint("users", __name__)

ADMINS = frozenset({ADMIN})
# Users who see only the devices assigned to them: the ones the assignment is for.
DEVICE_HOLDERS = frozenset({DEVICE_ADMIN, STOCK_DEVICE_ADMIN})

install_error_pages(users, {
    IDENTITY: _l("User administration is not available right now. Please try again in a few minutes."),
    SERVICEDESK: _l("The service desk is not available right now. Please try again in a few minutes."),
})

log = logging.getLogger(__name__)


def _admin():
    return viewer(ADMINS)


def _user(who: Viewer, user_id: str) -> dict[str, Any]:
    """One of the company's users; another company's answers 404 from identity, like an unknown id."""
    return call(IDENTITY, "GET", f"/api/v1/users/{id_or_404(user_id)}", who).body


@users.route("/users", methods=["GET", "POST"])
def user_list():
    who = _admin()
    form = InviteForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        email = form.email.data.strip()
        answer = call(IDENTITY, "POST", "/api/v1/users", who,
                      body={"email": email, "name": form.name.data.strip(), "roles": list(form.roles.data)})
        if answer.ok:
            # identity answers the same whether or not the address already has an account (so that
            # nobody learns who uses the portal), so the message names both outcomes.
            flash(_("We sent an e-mail to %(email)s: the invitation or, if the address already has a portal "
                    "account, a notice to its owner.", email=answer.body.get("email") or email))
            return redirect(url_for("users.user_list"))
        place_errors(answer, form_errors, on_fields(form._fields))
    listing = call(IDENTITY, "GET", "/api/v1/users", who)
    problems = [] if listing.ok else problem_messages(listing)
    status = 400 if form_errors or form.errors else (200 if listing.ok else listing.status)
    return page("users.html", who, status, form=form, form_errors=form_errors, items=items_of(listing),
                problems=problems, status_names=USER_STATUS_NAMES)


# --- one user ---------------------------------------------------------------------------------

def assignee_ids(device: dict[str, Any]) -> set[str] | None:
    """Who the device is assigned to, as user ids; None when the device does not say.

    The contract lists a device's assignees[] without fixing their shape: plain user ids, or
    objects carrying the user's id, are both read.
    """
    listed = device.get("assignees")
    if not isinstance(listed, list):
        return None
    found = set()
    for entry in listed:
        if isinstance(entry, dict):
            entry = entry.get("user_id") or entry.get("id")
        if entry:
            found.add(str(entry).lower())
    return found


def _devices(who: Viewer) -> tuple[list[dict[str, Any]], list[str]]:
    """The company's devices, or none and why: the user page still shows when servicedesk is down."""
    unavailable = _("The service desk is not available right now. Please try again in a few minutes.")
    try:
        answer = call(SERVICEDESK, "GET", "/api/v1/devices", who)
    except ServiceUnavailable as exc:
        log.warning("devices not shown: %s", exc)
        return [], [unavailable]
    except NotThere:  # a servicedesk without the devices API
        return [], [unavailable]
    return (items_of(answer), []) if answer.ok else ([], problem_messages(answer))


def _user_page(who: Viewer, user: dict[str, Any], form: UserForm, form_errors: list[str], http_status: int = 200,
               device_problems: list[str] | None = None):
    holds_devices = bool(DEVICE_HOLDERS & set(user.get("roles") or []))
    devices, unavailable = _devices(who) if holds_devices else ([], [])
    user_id = str(user.get("id") or "").lower()
    assigned = set()
    assignees_known = True
    for device in devices:
        ids = assignee_ids(device)
        if ids is None:
            assignees_known = False
        elif user_id in ids:
            assigned.add(str(device.get("id")))
    status = 400 if (form_errors or form.errors) and http_status == 200 else http_status
    return page("user.html", who, status, user=user, form=form, form_errors=form_errors,
                status_names=USER_STATUS_NAMES, holds_devices=holds_devices, devices=devices, assigned=assigned,
                assignees_known=assignees_known, assignment_form=AssignmentForm(),
                device_problems=(device_problems or []) + unavailable, is_me=user_id == str(who.me.get("id")).lower())


@users.route("/users/<user_id>", methods=["GET", "POST"])
def user_page(user_id: str):
    who = _admin()
    user = _user(who, user_id)
    form = UserForm(data={"name": user.get("name"), "roles": user.get("roles") or []}
                    if request.method == "GET" else None)
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = call(IDENTITY, "PATCH", f"/api/v1/users/{user_id}", who,
                      body={"name": form.name.data.strip(), "roles": list(form.roles.data)})
        if answer.ok:
            flash(_("The changes to %(name)s were saved.", name=answer.body.get("name") or form.name.data.strip()))
            return redirect(url_for("users.user_page", user_id=user_id))
        place_errors(answer, form_errors, on_fields(form._fields))
    return _user_page(who, user, form, form_errors)


def read_assignment() -> tuple[set[str], set[str]]:
    """(devices the page showed, devices ticked among them)."""
    shown = {value for value in request.form.getlist("shown") if ID.match(value)}
    return shown, {value for value in request.form.getlist("device") if value in shown}


@users.post("/users/<user_id>/devices")
def assign_devices(user_id: str):
    who = _admin()
    user = _user(who, user_id)
    # The CSRF token, this form's one field, is checked for every POST before the view runs.
    # The name-and-roles form is only shown again, as identity has it, if the page comes back.
    form = UserForm(formdata=None, data={"name": user.get("name"), "roles": user.get("roles") or []})
    if not DEVICE_HOLDERS & set(user.get("roles") or []):
        return _user_page(who, user, form, [], 400,
                          [_("Only device administrators are assigned devices. Give the user that role first.")])
    shown, ticked = read_assignment()
    # Read again now: the assignee lists are replaced whole, so they must be the current ones.
    answer = call(SERVICEDESK, "GET", "/api/v1/devices", who)
    if not answer.ok:
        return _user_page(who, user, form, [], answer.status, problem_messages(answer))
    devices = [device for device in items_of(answer) if str(device.get("id")) in shown]
    if any(assignee_ids(device) is None for device in devices):
        return _user_page(who, user, form, [], 502, [
            _("The service desk does not say who the devices are assigned to, so nothing was changed.")])
    target = str(user.get("id") or user_id).lower()
    problems: list[str] = []
    changed = 0
    for device in devices:
        device_id = str(device.get("id"))
        current = assignee_ids(device) or set()
        wanted = current | {target} if device_id in ticked else current - {target}
        if wanted == current:
            continue
        try:
            answer = call(SERVICEDESK, "PUT", f"/api/v1/devices/{device_id}/assignees", who,
                          body={"user_ids": sorted(wanted)})
        except NotThere:
            problems.append(_("Device %(serial)s is no longer on the account.", serial=device.get("serial_number")))
            continue
        if answer.ok:
            changed += 1
        else:
            problems.extend(f"{device.get('serial_number')}: {message}" for message in problem_messages(answer))
    if problems:
        return _user_page(who, user, form, [], 400, problems)
    flash(_("The device assignments were saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("users.user_page", user_id=user_id))


@users.route("/users/<user_id>/disable", methods=["GET", "POST"])
def disable_user(user_id: str):
    who = _admin()
    user = _user(who, user_id)
    form = DisableUserForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = call(IDENTITY, "DELETE", f"/api/v1/users/{user_id}", who)
        if answer.ok:
            flash(_("%(name)s can no longer sign in.", name=user.get("name") or user.get("username")))
            return redirect(url_for("users.user_list"))
        form_errors = problem_messages(answer)
    return page("user_disable.html", who, 400 if form_errors else 200, user=user, form=form,
                form_errors=form_errors)
