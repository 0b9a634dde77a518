"""The staff pages' form: an agent correcting a customer user's e-mail address.

It carries a CSRF token (Flask-WTF) and catches only an empty or overlong address before the
call; whether it is a valid address, and free, is identity's to say, next to the same field.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

# identity's limit for an e-mail address (identity api/schemas.py).
MAX_EMAIL = 254


class EmailCorrectionForm(FlaskForm):
    """One per user on the overview; the prefix (the user's id) keeps their fields apart."""

    email = EmailField(_l("Correct e-mail"),
                       validators=[DataRequired(_l("This field is required.")), Length(max=MAX_EMAIL)])


def email_form(user_id: str, *, formdata=None, email: str | None = None) -> EmailCorrectionForm:
    """The form for one user: filled in from the request (formdata), or with the address on file."""
    if formdata is None:
        return EmailCorrectionForm(formdata=None, prefix=f"user-{user_id}", data={"email": email or ""})
    return EmailCorrectionForm(formdata=formdata, prefix=f"user-{user_id}")
