"""The service desk pages' forms: a device's location and meter reading, opening and following an incident.

Every one carries a CSRF token (Flask-WTF). They catch what is plainly wrong before a call is
made; the rules themselves (a reading never lower than the previous one, one a day, who may move
an incident where) are servicedesk's, and its refusals are shown on the same fields.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

_REQUIRED = _l("This field is required.")
# The service's limits (servicedesk api/schemas.py, api/incident_schemas.py), so a long text is
# refused next to its field instead of as a whole-form error.
MAX_LOCATION = 500
MAX_READING = 10**15
MAX_TEXT = 5000
# People write big counters with thousands separators (1,234,567) or spaces; the rest must be digits.
_SEPARATORS = re.compile(r"[\s,]")
_DIGITS = re.compile(r"\A\d{1,16}\Z")

# servicedesk keeps the categories (GET /api/v1/incident-categories) and refuses any other; the
# portal names each key for people. A key servicedesk adds before the portal knows it shows as is.
INCIDENT_CATEGORY_LABELS = {
    "paper_jam": _l("Paper jam"),
    "print_quality": _l("Print or copy quality"),
    "error_code": _l("Error code on the display"),
    "no_power": _l("Does not turn on"),
    "scanning": _l("Scanning or network"),
    "toner": _l("Toner or supplies"),
    "noise": _l("Noise or mechanical failure"),
    "other": _l("Other"),
}


def category_choices(keys: list[str]) -> list[SelectChoice]:
    return [SelectChoice(key, INCIDENT_CATEGORY_LABELS.get(key, key)) for key in keys]


def reading_number(typed: str | None) -> int | None:
    """The counter value as typed, or None when it is not a whole number the service can take."""
    plain = _SEPARATORS.sub("", typed or "")
    if not _DIGITS.match(plain) or int(plain) > MAX_READING:
        return None
    return int(plain)


class _ChoiceOnly:
    """A select must hold one of the options offered (WTForms' own message is English only)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(self.message)


class LocationForm(FlaskForm):
    location = StringField(_l("New location"), id="location-input",
                           validators=[DataRequired(_REQUIRED), Length(max=MAX_LOCATION)])


# How people call the counters servicedesk names; a name the portal does not know shows as written.
COUNTER_LABELS = {
    "total": _l("Total"),
    "black": _l("Black"),
    "bn": _l("Black"),
    "mono": _l("Black"),
    "colour": _l("Colour"),
    "color": _l("Colour"),
    "scan": _l("Scan"),
}
_NOT_IN_A_NAME = re.compile(r"[^a-z0-9]+")


def counter_label(name: str):
    return COUNTER_LABELS.get(str(name).strip().lower(), str(name))


class _WholeNumber:
    """A counter's value as people write it (1,234,567), a whole number the service can take."""

    def __call__(self, form, field):
        if field.data and reading_number(field.data) is None:
            raise ValidationError(_l("Enter the counter's value as a whole number, without decimals."))


class ReadingForm(FlaskForm):
    """One value per counter of the device: the fields are made for the device's counters
    (reading_form), so a reading always holds them all, as the service requires."""

    # The device's counter names, in its order, and each one's field.
    counter_names: list[str] = []

    def counter_fields(self) -> dict[str, Field]:
        return {name: self[_field_name(name, position, self.counter_names)]
                for position, name in enumerate(self.counter_names)}

    def values(self) -> dict[str, int | None]:
        return {name: reading_number(field.data) for name, field in self.counter_fields().items()}


def _field_name(name: str, position: int, names: list[str]) -> str:
    """A form field name for the counter: readable when the counter's name allows it, and never the
    same as another counter's (two names can read alike once reduced to letters and digits)."""
    slug = _NOT_IN_A_NAME.sub("-", str(name).lower()).strip("-")
    taken = [_NOT_IN_A_NAME.sub("-", str(other).lower()).strip("-") for other in names[:position]]
    if not slug or slug in taken:
        slug = f"{slug}-{position}" if slug else str(position)
    return f"counter-{slug}"


def reading_form(counters: list[str], **kwargs) -> ReadingForm:
    """The reading form of a device with these counters (its own class: WTForms fields are declared
    on a class, and each device has its own set)."""
    names = [str(name) for name in counters]
    form_class = type("DeviceReadingForm", (ReadingForm,), {"counter_names": names})
    for position, name in enumerate(names):
        field_name = _field_name(name, position, names)
        # The id is the name: "counter-…" never meets the page's other ids (reading-form, reading-submit).
        setattr(form_class, field_name, StringField(counter_label(name), id=field_name,
                                                    validators=[DataRequired(_REQUIRED), _WholeNumber()]))
    return form_class(**kwargs)


class IncidentForm(FlaskForm):
    """The device and category choices are set by the page before validating: the devices the user
    reaches, the categories servicedesk keeps."""

    device_id = SelectField(_l("Device"), id="incident-device", choices=[], validate_choice=False,
                            validators=[_ChoiceOnly(_l("Choose one of the devices in the list."))])
    category = SelectField(_l("Category"), id="incident-category", choices=[],
                           validate_choice=False, validators=[_ChoiceOnly(_l("Choose a category."))])
    description = TextAreaField(_l("What is happening?"), id="incident-description",
                                validators=[DataRequired(_REQUIRED), Length(max=MAX_TEXT)])
    contact_name = StringField(_l("Contact name"), id="contact-name",
                               validators=[DataRequired(_REQUIRED), Length(max=200)])
    contact_phone = StringField(_l("Contact phone"), id="contact-phone",
                                validators=[DataRequired(_REQUIRED), Length(max=40)])
    # A plain shape check only: servicedesk validates the address itself and names the field.
    contact_email = EmailField(_l("Contact e-mail"), id="contact-email",
                               validators=[DataRequired(_REQUIRED), Length(max=320),
                                           Regexp(r"\A[^@\s]+@[^@\s]+\Z", message=_l("Enter a valid e-mail address."))])


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Comment"), id="comment-text", validators=[DataRequired(_REQUIRED), Length(max=MAX_TEXT)])


class StatusForm(FlaskForm):
    """One button per move the page offers, each sending its target status."""

    status = StringField(validators=[DataRequired(_l("Choose what to do with the incident."))])
