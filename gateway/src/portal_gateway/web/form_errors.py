"""A refused call's messages on the page that sent it: the one way every page places a service's
field errors (by their dotted path) next to its fields, and the rest above the form."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext as _
from portal_shared.errors import INVALID

from portal_gateway.web.api import Answer

VALIDATION_FAILED = INVALID.code

# Where one of a service's field errors goes: given the field's dotted path ("items.0.amount") and
# its messages, put them next to what they concern and say True; False leaves them above the form.
Placement = Callable[[str, list[str]], bool]


def on_fields(fields: Mapping[str, Any], rename: Callable[[str], str] | None = None) -> Placement:
    """Next to a form's own fields: a list field's "roles.0" goes to "roles"; rename maps the
    service's other names to the form's."""
    def place(name: str, messages: list[str]) -> bool:
        name = rename(name) if rename else name
        field = fields.get(name) or fields.get(name.split(".")[0])
        # A hidden field (the CSRF token, a mailed link's token) shows no message: above the form.
        if field is None or getattr(field, "type", "") in ("HiddenField", "CSRFTokenField"):
            return False
        field.errors = list(field.errors) + messages
        return True

    return place


def place_errors(answer: Answer, form_errors: list[str], place: Placement | None = None) -> None:
    """A refused call's messages on the page that sent it: each field's where `place` puts it, the
    rest and the problem's detail above the form. A plain validation failure's detail only lists
    the fields, which already say more: it is left out when they are all placed."""
    unplaced: list[str] = []
    placed = False
    for name, messages in answer.errors.items():
        if place is not None and place(name, messages):
            placed = True
        else:
            unplaced.extend(messages)
    if answer.status == 429:
        if answer.retry_after and answer.retry_after.isdigit():
            form_errors.append(_("Too many attempts. Try again in %(seconds)s seconds.", seconds=answer.retry_after))
        else:
            form_errors.append(_("Too many attempts. Try again later."))
    elif answer.detail and (unplaced or not answer.errors or answer.code != VALIDATION_FAILED):
        form_errors.append(answer.detail)
    form_errors.extend(unplaced)
    if not form_errors and not placed:
        form_errors.append(_("The request could not be completed (HTTP %(status)s).", status=answer.status))


def problem_messages(answer: Answer, *, named: bool = False) -> list[str]:
    """Everything a refused call says, for a notice above a form or a table.

    named: each field's messages after the field's name, for a page whose fields are its query
    parameters (account, from, to) rather than form fields the messages could stand next to.
    """
    messages: list[str] = []
    if not named:
        place_errors(answer, messages)
        return messages
    if answer.detail:
        messages.append(answer.detail)
    for name, field_messages in answer.errors.items():
        messages.extend(f"{name}: {message}" for message in field_messages)
    return messages or [_("The request could not be completed (HTTP %(status)s).", status=answer.status)]
