"""The forms of user administration: invite a user, change one's name and roles, disable one,
assign devices. Each carries a CSRF token; the rules on roles and e-mails are identity's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from portal_shared.auth.roles import (
    ADMIN,
    BILLING,
    DEVICE_ADMIN,
    KNOWLEDGE_USER,
    STOCK_ADMIN,
    STOCK_DEVICE_ADMIN,
)
from wtforms import EmailField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal_gateway.web.nav import ROLE_NAMES

_REQUIRED = _l("This field is required.")

# Every role a customer's admin may give its own people (admins included), in the order the
# role table lists them; staff roles are never offered.
GRANTABLE_ROLES = (ADMIN, BILLING, DEVICE_ADMIN, STOCK_ADMIN, STOCK_DEVICE_ADMIN, KNOWLEDGE_USER)


class RolesField(SelectMultipleField):
    """The roles as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators,
                         choices=[SelectChoice(role, ROLE_NAMES[role]) for role in GRANTABLE_ROLES], **kwargs)


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_REQUIRED), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    roles = RolesField(_l("Roles"), validators=[DataRequired(_l("Choose at least one role."))])


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_REQUIRED), Length(max=200)])
    roles = RolesField(_l("Roles"), validators=[DataRequired(_l("Choose at least one role."))])


class DisableUserForm(FlaskForm):
    """Nothing but the CSRF token: the confirmation page's button."""


class AssignmentForm(FlaskForm):
    """The device ticks (device=<id>) and the devices the page showed (shown=<id>) are read in
    users.read_assignment(); this carries the CSRF token."""
