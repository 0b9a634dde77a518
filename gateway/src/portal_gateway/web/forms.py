"""The UI's forms. Every one carries a CSRF token (Flask-WTF); password rules are identity's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Regexp
from portal_shared.banks import BANK_NAMES

_REQUIRED = _l("This field is required.")
_MISMATCH = _l("The passwords do not match.")


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(_REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_REQUIRED), Length(max=1024)])


class NewPasswordMixin:
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_REQUIRED), Length(max=1024)])
    confirm_password = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(_REQUIRED), EqualTo("new_password", _MISMATCH)]
    )


class FirstLoginForm(NewPasswordMixin, FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_REQUIRED), Length(max=254)])


class RecoverForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_REQUIRED), Length(max=254)])


class TokenPasswordForm(NewPasswordMixin, FlaskForm):
    """Reset and activation: the link's token plus a new password."""

    token = HiddenField(validators=[DataRequired(_l("The link is incomplete."))])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_REQUIRED)])


class LogoutForm(FlaskForm):
    """Nothing but the CSRF token: signing out is a POST another site cannot forge."""


class ResendVerificationForm(FlaskForm):
    """Nothing but the CSRF token: another site cannot make the portal mail someone links."""


BANKS = tuple(BANK_NAMES.items())


class CancelPaymentForm(FlaskForm):
    """A pending payment's "cancel" button: its CSRF token is all it sends."""


class PayForm(FlaskForm):
    """The balances page's pay form. The ticked invoices and their amounts are one field pair
    per row (invoice=<id>, amount-<id>), read in billing.read_picks(); these are the rest."""

    bank = RadioField(_l("Bank"), choices=[SelectChoice(value, label) for value, label in BANKS],
                      validators=[InputRequired(_l("Choose a bank."))])
    # Made when the page is shown and sent as the payment's Idempotency-Key: a second submit
    # of the same page (double click, reload, retry after a timeout) cannot pay twice.
    idempotency_key = HiddenField(validators=[DataRequired(_l("The form expired.")),
                                              Regexp(r"\A[0-9a-f]{32}\Z", message=_l("The form expired."))])
    # Which balances page the form came from, to show the same one again after an error.
    account = HiddenField()
    page = HiddenField()
