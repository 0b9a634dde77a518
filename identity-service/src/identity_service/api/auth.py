"""Sign-in, first sign-in, token refresh, sign-out, recovery and password changes."""
from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from portal_shared.auth import ACTIVATION
from portal_shared.auth.flask import current_principal, require_auth

from identity_service.api import schemas
from identity_service.api.context import BEARER, client_address, identity
from identity_service.domain.links import LINK_KINDS
from identity_service.service_layer import auth, links

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication")

RECOVER_ACCEPTED = {
    "status": "accepted",
    "detail": "If an account uses this e-mail address, a message with a link to reset the password is on its way.",
}


def _tokens(result) -> dict:
    return {**asdict(result), "token_type": "Bearer"}


@blp.route("/login", methods=["POST"])
@blp.arguments(schemas.LoginSchema)
@blp.response(200, schemas.TokensSchema)
def login(body):
    """Sign in. With the RFC as user name and password the first time, the token is an activation token."""
    return _tokens(auth.login(identity(), username=body["username"], password=body["password"], address=client_address()))


@blp.route("/first-login", methods=["POST"])
@require_auth(allow_types=(ACTIVATION,))
@blp.doc(security=BEARER)
@blp.arguments(schemas.FirstLoginSchema)
@blp.response(200, schemas.TokensSchema)
def first_login(body):
    """Choose e-mail and password after the RFC sign-in (activation token only)."""
    principal = current_principal()
    return _tokens(auth.first_login(identity(), user_id=principal.user_id, email=body["email"],
                                    new_password=body["new_password"]))


@blp.route("/refresh", methods=["POST"])
@blp.arguments(schemas.RefreshTokenSchema)
@blp.response(200, schemas.TokensSchema)
def refresh(body):
    """Exchange a refresh token for new tokens; a token already exchanged revokes its whole family."""
    return _tokens(auth.refresh(identity(), refresh_token=body["refresh_token"]))


@blp.route("/logout", methods=["POST"])
@blp.arguments(schemas.RefreshTokenSchema)
@blp.response(204)
def logout(body):
    auth.logout(identity(), refresh_token=body["refresh_token"])


@blp.route("/recover", methods=["POST"])
@blp.arguments(schemas.RecoverSchema)
@blp.response(202, schemas.AcceptedSchema)
def recover(body):
    """Mail a password-reset link; the answer never says whether the address is known."""
    links.recover(identity(), email=body["email"])
    return RECOVER_ACCEPTED


@blp.route("/reset", methods=["POST"])
@blp.arguments(schemas.TokenAndPasswordSchema)
@blp.response(204)
def reset(body):
    links.reset(identity(), token=body["token"], new_password=body["new_password"])


@blp.route("/verify-email", methods=["POST"])
@blp.arguments(schemas.TokenSchema)
@blp.response(204)
def verify_email(body):
    links.verify_email(identity(), token=body["token"])


@blp.route("/verify-email/resend", methods=["POST"])
@require_auth()
@blp.doc(security=BEARER)
@blp.response(204)
def resend_verification():
    """Mail a new link to verify the signed-in user's address; the older ones stop working.
    Limited per user: past the limit the answer is the same and no mail goes out."""
    links.resend_verification(identity(), user_id=current_principal().user_id)


@blp.route("/links/check", methods=["POST"])
@blp.arguments(schemas.LinkCheckSchema)
@blp.response(204)
def check_link(body):
    """Whether a mailed link can be used now: 204, or the refusal using it would get (it was used,
    a newer one replaced it, it expired, the account is already active). The link is not spent."""
    links.check_link(identity(), token=body["token"], purposes=LINK_KINDS[body["purpose"]])


@blp.route("/activate", methods=["POST"])
@blp.arguments(schemas.TokenAndPasswordSchema)
@blp.response(204)
def activate(body):
    """Accept an invitation or an operator's activation link."""
    links.activate(identity(), token=body["token"], new_password=body["new_password"])


@blp.route("/password", methods=["POST"])
@require_auth()
@blp.doc(security=BEARER)
@blp.arguments(schemas.ChangePasswordSchema)
@blp.response(204)
def change_password(body):
    """Change the password; every other sign-in of this user is revoked."""
    principal = current_principal()
    auth.change_password(identity(), user_id=principal.user_id, family_id=principal.session_id,
                         current_password=body["current_password"], new_password=body["new_password"])
