"""The UI's forms. Every one carries a CSRF token (Flask-WTF); password rules are identity's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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
