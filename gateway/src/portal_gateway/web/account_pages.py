"""Pages of the web UI. Each talks to identity-service and shows its answers on the form."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal_gateway.web import identity, signin
from portal_gateway.web.dead_links import ACTIVATION, RESET, VERIFY_EMAIL, dead_link, is_dead
from portal_gateway.web.forms import (
    ChangePasswordForm,
    FirstLoginForm,
    LoginForm,
    LogoutForm,
    RecoverForm,
    ResendVerificationForm,
    TokenPasswordForm,
)
from portal_gateway.web.form_errors import on_fields, place_errors
from portal_gateway.web.refusals import refusal_sentence
from portal_gateway.web.identity import IdentityUnavailable
from portal_gateway.web.nav import BILLING_READERS, ROLE_NAMES, entries_for

log = logging.getLogger(__name__)

web = Blueprint("web", __name__)


def form_page(template: str, form: FlaskForm, form_errors: list[str], **context):
    """Render a form; 400 when it comes back with errors (ours or identity's), so it is never mistaken for success."""
    status = 400 if form_errors or form.errors else 200
    return render_template(template, form=form, form_errors=form_errors, **context), status


@web.app_context_processor
def _layout():
    return {"logout_form": LogoutForm(), "signed_in": "access_token" in session,
            "languages": current_app.config["LANGUAGES"], "role_names": ROLE_NAMES}


@web.errorhandler(IdentityUnavailable)
def _identity_unavailable(exc: IdentityUnavailable):
    log.warning("sign-in page not shown: %s", exc)
    return render_template("error.html", title=_("Service unavailable"),
                           message=_("Sign-in is not available right now. Please try again in a few minutes.")), 503


@web.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = identity.call("POST", "/api/v1/auth/login",
                               body={"username": form.username.data.strip(), "password": form.password.data})
        if answer.status == 200 and answer.body.get("must_change_password") and not answer.body.get("refresh_token"):
            signin.begin_activation(answer.body["access_token"])
            return redirect(url_for("web.first_login"))
        if answer.status == 200:
            signin.begin(answer.body)
            if answer.body.get("must_change_password"):
                flash(_("Choose a new password before you continue."), "error")
                return redirect(url_for("web.change_password"))
            return redirect(url_for("web.home"))
        place_errors(answer, form_errors, on_fields(form._fields))
    return form_page("login.html", form, form_errors)


@web.route("/first-login", methods=["GET", "POST"])
def first_login():
    token = signin.activation_token()
    if token is None:
        return redirect(url_for("web.login"))
    form = FirstLoginForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = identity.call("POST", "/api/v1/auth/first-login", token=token,
                               body={"email": form.email.data.strip(), "new_password": form.new_password.data})
        if answer.status == 200:
            signin.store_tokens(answer.body)
            flash(_("Your e-mail address and password were saved. We sent you a message to verify the address."))
            return redirect(url_for("web.home"))
        if answer.status == 401:
            signin.forget_tokens()
            flash(_("Your first sign-in expired. Sign in again with your RFC."), "error")
            return redirect(url_for("web.login"))
        place_errors(answer, form_errors, on_fields(form._fields))
    return form_page("first_login.html", form, form_errors)


@web.route("/recover", methods=["GET", "POST"])
def recover():
    form = RecoverForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = identity.call("POST", "/api/v1/auth/recover", body={"email": form.email.data.strip()})
        if answer.ok:
            return render_template("message.html", title=_("Check your e-mail"),
                                   message=_("If the address belongs to a user, we sent it a link to choose a "
                                             "new password. The link is valid for 30 minutes."))
        place_errors(answer, form_errors, on_fields(form._fields))
    return form_page("recover.html", form, form_errors)


def _token_password_page(template: str, endpoint: str, success: str, kind: str):
    form = TokenPasswordForm()
    if request.method == "GET":
        form.token.data = request.args.get("token", "")
    form_errors: list[str] = []
    if not form.token.data:
        form_errors.append(_("This link is incomplete. Open the link from your e-mail again."))
    elif request.method == "GET":
        # Looked at before the form is shown: nobody types two passwords for a link that is dead.
        answer = identity.call("POST", "/api/v1/auth/links/check", body={"token": form.token.data, "purpose": kind})
        if is_dead(answer.code):
            return _dead_link_page(template, form, kind, answer.code)
    elif form.validate_on_submit():
        answer = identity.call("POST", endpoint, body={"token": form.token.data, "new_password": form.new_password.data})
        if answer.ok:
            flash(success)
            return redirect(url_for("web.login"))
        if is_dead(answer.code):
            # The link died while the form was open: the page says so as a fresh visit would.
            return _dead_link_page(template, form, kind, answer.code)
        place_errors(answer, form_errors, on_fields(form._fields))
    return form_page(template, form, form_errors)


def _dead_link_page(template: str, form: FlaskForm, kind: str, code: str | None):
    """Why the link cannot be used and what to do instead; no password form."""
    return render_template(template, form=form, form_errors=[], dead=dead_link(kind, code)), 400


@web.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    return _token_password_page("reset_password.html", "/api/v1/auth/reset",
                                _("Your password was changed. Sign in with the new one."), RESET)


@web.route("/activate", methods=["GET", "POST"])
def activate():
    return _token_password_page("activate.html", "/api/v1/auth/activate",
                                _("Your account is active. Sign in with your new password."), ACTIVATION)


@web.get("/verify-email")
def verify_email():
    token = request.args.get("token", "")
    if not token:
        return render_template("message.html", title=_("E-mail not verified"),
                               message=_("This link is incomplete. Open the link from your e-mail again."),
                               failed=True), 400
    answer = identity.call("POST", "/api/v1/auth/verify-email", body={"token": token})
    if answer.ok:
        return render_template("message.html", title=_("E-mail verified"),
                               message=_("Thank you. Your e-mail address is verified."))
    if is_dead(answer.code):
        # Signed in, the person can have a new link sent at once; otherwise after signing in.
        dead = dead_link(VERIFY_EMAIL, answer.code, signed_in="access_token" in session)
        return render_template("verify_email.html", dead=dead, resend_form=ResendVerificationForm()), 400
    return render_template("message.html", title=_("E-mail not verified"),
                           message=refusal_sentence(answer.code, answer.status), failed=True), 400


@web.post("/verify-email/resend")
def resend_verification():
    token, me = me_or_redirect()
    if token is None:
        return me
    answer = identity.call("POST", "/api/v1/auth/verify-email/resend", token=token)
    if answer.ok:
        flash(_("We sent a new link to %(address)s. Open it to verify your e-mail address.", address=me.get("email")))
    elif answer.code == "identity.email_already_verified":
        flash(_("Your e-mail address is already verified."))
    else:
        flash(refusal_sentence(answer.code, answer.status), "error")
    return redirect(url_for("web.home"))


@web.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        refresh_token = session.get("refresh_token")
        if refresh_token:
            try:
                identity.call("POST", "/api/v1/auth/logout", body={"refresh_token": refresh_token})
            except IdentityUnavailable:
                # The cookie goes anyway; the refresh token then just runs out.
                current_app.logger.warning("logout could not reach identity-service")
        signin.end()
        flash(_("You signed out."))
    return redirect(url_for("web.login"))


def me_or_redirect():
    """(token, /me body) of the signed-in user, or a redirect response to the right page."""
    if signin.activation_token() and "access_token" not in session:
        return None, redirect(url_for("web.first_login"))
    token = signin.access_token()
    if token is None:
        return None, redirect(url_for("web.login"))
    answer = identity.call("GET", "/api/v1/me", token=token)
    if answer.status == 401:
        token = signin.refresh()
        if token is None:
            return None, redirect(url_for("web.login"))
        answer = identity.call("GET", "/api/v1/me", token=token)
    if answer.status != 200:
        signin.forget_tokens()
        return None, redirect(url_for("web.login"))
    return token, answer.body


def nav_for(me: dict) -> list:
    # Kept on g too, so an error page met later in the request still shows the navigation.
    g.nav = entries_for(frozenset(me.get("roles") or []))
    return g.nav


@web.get("/")
def home():
    token, me = me_or_redirect()
    if token is None:
        return me
    return render_template("home.html", me=me, nav=nav_for(me), resend_form=ResendVerificationForm(),
                           billing_pages=bool(frozenset(me.get("roles") or []) & BILLING_READERS))


@web.route("/password", methods=["GET", "POST"])
def change_password():
    token, me = me_or_redirect()
    if token is None:
        return me
    form = ChangePasswordForm()
    form_errors: list[str] = []
    if form.validate_on_submit():
        answer = identity.call("POST", "/api/v1/auth/password", token=token,
                               body={"current_password": form.current_password.data,
                                     "new_password": form.new_password.data})
        if answer.ok:
            flash(_("Your password was changed."))
            return redirect(url_for("web.home"))
        place_errors(answer, form_errors, on_fields(form._fields))
    return form_page("change_password.html", form, form_errors, me=me, nav=nav_for(me))

