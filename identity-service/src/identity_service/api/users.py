"""/me, a customer's users (its admins manage them; agents correct e-mails) and the audit log."""
from __future__ import annotations

from flask_smorest import Blueprint

from portal_shared.auth import ADMIN, AGENT
from portal_shared.auth.flask import current_principal, require_auth
from portal_shared.errors import invalid

from identity_service.api import schemas
from identity_service.api.context import BEARER, acting, identity
from identity_service.service_layer import users
from identity_service.service_layer.audit import Actor

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="The signed-in user, users and audit log")


def _customer_in_scope(actor: Actor, query: dict) -> str:
    """An admin's own company (from the token, never the URL); an agent names one explicitly."""
    if actor.has_any(AGENT):
        if query.get("customer_id") is None:
            raise invalid({"customer_id": ["Customer service must name the customer: ?customer_id=…"]},
                          "Invalid: customer_id.")
        return str(query["customer_id"])
    return actor.customer_id


@blp.route("/me", methods=["GET"])
@require_auth()
@blp.doc(security=BEARER)
@blp.response(200, schemas.MeSchema)
def me():
    return users.me(identity(), current_principal().user_id)


@blp.route("/users", methods=["GET"])
@require_auth(ADMIN, AGENT)
@blp.doc(security=BEARER)
@blp.arguments(schemas.CustomerQuerySchema, location="query")
@blp.response(200, schemas.UsersSchema)
def list_users(query):
    actor = acting(ADMIN, AGENT)
    return {"items": users.list_users(identity(), customer_id=_customer_in_scope(actor, query))}


@blp.route("/users", methods=["POST"])
@require_auth(ADMIN)
@blp.doc(security=BEARER)
@blp.arguments(schemas.UserInviteSchema)
@blp.response(202, schemas.InvitationSentSchema)
def invite_user(body):
    """Invite a user of the admin's company; the invitation link is mailed.

    The same answer for every address: one that already has an account, in any company, gets a
    mail saying so instead of a second account. The new user's id is in the list of users.
    """
    actor = acting(ADMIN)
    return users.invite_user(identity(), actor, email=body["email"], name=body["name"], roles=body["roles"])


@blp.route("/users/<string:user_id>", methods=["GET"])
@require_auth(ADMIN, AGENT)
@blp.doc(security=BEARER)
@blp.response(200, schemas.UserSchema)
def get_user(user_id):
    actor = acting(ADMIN, AGENT)
    return users.get_user(identity(), actor, user_id)


@blp.route("/users/<string:user_id>", methods=["PATCH"])
@require_auth(ADMIN, AGENT)
@blp.doc(security=BEARER)
@blp.arguments(schemas.UserPatchSchema)
@blp.response(200, schemas.UserSchema)
def update_user(body, user_id):
    """Admin: roles and name. Agent: e-mail only (marked unverified, a verification link is mailed)."""
    actor = acting(ADMIN, AGENT)
    return users.update_user(identity(), actor, user_id, body)


@blp.route("/users/<string:user_id>", methods=["DELETE"])
@require_auth(ADMIN)
@blp.doc(security=BEARER)
@blp.response(204)
def disable_user(user_id):
    """Disable the user and revoke all of its sign-ins."""
    actor = acting(ADMIN)
    users.disable_user(identity(), actor, user_id)


@blp.route("/audit-log", methods=["GET"])
@require_auth(ADMIN, AGENT)
@blp.doc(security=BEARER)
@blp.arguments(schemas.AuditQuerySchema, location="query")
@blp.response(200, schemas.AuditLogSchema)
def audit_log(query):
    actor = acting(ADMIN, AGENT)
    customer_id = _customer_in_scope(actor, query)
    return {"items": users.list_audit(identity(), customer_id=customer_id, limit=query["limit"])}
