"""A customer's users, managed by its admins; e-mail corrections by the vendor's agents."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal_shared.auth import ADMIN, AGENT
from portal_shared.db import transaction
from portal_shared.errors import FORBIDDEN, invalid

from identity_service.adapters.orm import AuditEntry, Customer, User, UserRole
from identity_service.domain import mail
from identity_service.domain.links import REVOKED
from identity_service.domain.model import (
    ACTIVE,
    DISABLED,
    PENDING_ACTIVATION,
    PURPOSE_ACTIVATION,
    PURPOSE_INVITATION,
    PURPOSE_RESET_PASSWORD,
    PURPOSE_VERIFY_EMAIL,
    disallowed_roles,
    normalize_email,
    normalize_username,
)
from identity_service.domain.passwords import password_problems
from identity_service.service_layer import audit, events, throttle, tokens
from identity_service.service_layer.audit import Actor
from identity_service.service_layer.auth import email_taken, send_verification, set_password
from identity_service.service_layer.context import Context
from identity_service.service_layer.errors import (
    ACCOUNT_INACTIVE,
    AGENT_CHANGE_NOT_ALLOWED,
    CANNOT_DISABLE_SELF,
    EMAIL_CHANGE_NOT_ALLOWED,
    LAST_ADMIN,
    USERNAME_TAKEN,
    USER_NOT_FOUND,
    email_in_use,
    weak_password,
)
from identity_service.service_layer.revocations import revoke_access
from identity_service.service_layer.views import audit_user, audit_view, me_view, user_view

# The status of every accepted invitation: its answers differ only by the address sent.
INVITATION_SENT = "invitation_sent"


def _check_roles(roles: set[str], *, is_customer_user: bool) -> None:
    if not roles:
        raise invalid({"roles": ["Give at least one role."]}, "Invalid: roles.")
    wrong = disallowed_roles(roles, is_customer_user=is_customer_user)
    if wrong:
        raise invalid({"roles": [f"Not a role for this user: {', '.join(sorted(wrong))}."]}, "Invalid: roles.")


def _address_in_use(db: Session, address: str, *, user_id: str | None = None) -> bool:
    """Another user has this address as e-mail or as user name (people sign in with either)."""
    return email_taken(db, address, by_other_than=user_id) or db.scalar(
        sa.select(User.id).where(User.username == address, User.id != (user_id or ""))
    ) is not None


def _email_free(db: Session, address: str, *, user_id: str | None = None) -> None:
    if _address_in_use(db, address, user_id=user_id):
        raise email_in_use()


def _target(db: Session, actor: Actor, user_id: str, *, lock: bool = False) -> User:
    """The user the actor may see: a customer's admin only its own company's, an agent any
    customer's user but never staff (404 otherwise, not 403). An agent who could change a
    staff member's e-mail could take that account over through a password reset."""
    user = db.get(User, user_id, with_for_update=lock)
    if user is None:
        raise USER_NOT_FOUND("No such user.")
    if actor.has_any(AGENT):
        if user.customer_id is None:
            raise USER_NOT_FOUND("No such user.")
    elif actor.customer_id is None or user.customer_id != actor.customer_id:
        raise USER_NOT_FOUND("No such user.")
    return user


def actor_for(ctx: Context, user_id: str) -> Actor:
    """The caller as the database knows it now: disabled users and changed roles take effect at once."""
    with transaction(ctx.session_factory) as db:
        user = db.get(User, user_id)
        if user is None or user.status != ACTIVE:
            raise ACCOUNT_INACTIVE("This account cannot sign in any more.")
        return Actor(user.id, user.username, user.customer_id, frozenset(user.roles))


def me(ctx: Context, user_id: str) -> dict[str, Any]:
    with transaction(ctx.session_factory) as db:
        user = db.get(User, user_id)
        if user is None or user.status != ACTIVE:
            raise ACCOUNT_INACTIVE("This account cannot sign in any more.")
        return me_view(user)


def list_users(ctx: Context, *, customer_id: str) -> list[dict[str, Any]]:
    with transaction(ctx.session_factory) as db:
        users = db.scalars(sa.select(User).where(User.customer_id == customer_id).order_by(User.username))
        return [user_view(user) for user in users]


def get_user(ctx: Context, actor: Actor, user_id: str) -> dict[str, Any]:
    with transaction(ctx.session_factory) as db:
        return user_view(_target(db, actor, user_id))


def invite_user(ctx: Context, actor: Actor, *, email: str, name: str, roles: list[str]) -> dict[str, Any]:
    """A new user of the admin's own company, who activates through the mailed link.

    The answer is the same whether the address is new, already a user's of this company or of
    any other: a different one would tell an admin who uses the portal. An address already in
    use gets a mail saying so instead, and nothing is written about its account.
    """
    if actor.customer_id is None or not actor.has_any(ADMIN):
        raise FORBIDDEN("Only a customer's admin invites users.")
    address = normalize_email(email)
    wanted = set(roles)
    _check_roles(wanted, is_customer_user=True)
    with transaction(ctx.session_factory) as db:
        customer = db.get(Customer, actor.customer_id)
        user = None if _address_in_use(db, address) else _pending_user(db, ctx, actor, address, name, wanted)
        if user is None:
            _tell_owner_of_address(db, ctx, customer, address)
        else:
            ttl = int(ctx.settings["INVITATION_TOKEN_TTL_SECONDS"])
            raw = tokens.mint_link(db, ctx, user=user, purpose=PURPOSE_INVITATION, email=address,
                                   ttl_setting="INVITATION_TOKEN_TTL_SECONDS")
            message = mail.invitation(ctx.link("/activate", raw), user.name, customer.name, ttl)
            ctx.outbox.add_mail(db, to=address, subject=message.subject, text=message.text)
            events.user_created(db, ctx, user, sorted(wanted))
            audit.record(db, ctx, actor, action="user.invited", target_type="user", target_id=user.id,
                         customer_id=user.customer_id, after=audit_user(user))
    return {"email": address, "status": INVITATION_SENT}


def _pending_user(db: Session, ctx: Context, actor: Actor, address: str, name: str, roles: set[str]) -> User | None:
    """The invited user, saved; None when a request committed at the same moment took the address,
    which then gets the same answer as one taken before."""
    now = ctx.clock()
    user = User(
        customer_id=actor.customer_id, username=address, email=address, email_verified=False,
        name=name.strip(), password_hash=None, status=PENDING_ACTIVATION, created_at=now, updated_at=now,
    )
    user.set_roles(roles)
    try:
        with db.begin_nested():
            db.add(user)
            db.flush()
    except IntegrityError:
        return None
    return user


def _invite_notice_limit(ctx: Context) -> throttle.Limit:
    window = ctx.seconds("INVITE_NOTICE_WINDOW_SECONDS")
    return throttle.Limit(max_failures=int(ctx.settings["INVITE_NOTICE_MAX_MAILS"]), window=window, lockout=window)


def _tell_owner_of_address(db: Session, ctx: Context, customer: Customer, address: str) -> None:
    """Mail the address's owner that the company tried to invite it.

    No audit entry: the admin reads the company's audit log, and an entry written only for a
    taken address would say what the answer does not. Past a few mails per window the owner is
    told nothing more, so repeated invitations cannot flood a mailbox.
    """
    now = ctx.clock()
    counter = throttle.Counter(throttle.invite_notice_key(address), _invite_notice_limit(ctx))
    if throttle.retry_after(db, [counter], now) is not None:
        return
    throttle.record_failure(db, counter, now)
    message = mail.invitation_to_address_in_use(customer.name)
    ctx.outbox.add_mail(db, to=address, subject=message.subject, text=message.text)


def _active_admins(db: Session, customer_id: str) -> set[str]:
    rows = db.scalars(
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.customer_id == customer_id, User.status == ACTIVE, UserRole.role == ADMIN)
    )
    return set(rows)


def update_user(ctx: Context, actor: Actor, user_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Admin: roles and name of its own company's users. Agent: a user's e-mail, nothing else."""
    if actor.has_any(AGENT):
        refused = sorted(set(changes) - {"email"})
        if refused:
            raise AGENT_CHANGE_NOT_ALLOWED("Customer service may only correct a user's e-mail.",
                                           errors={name: ["Not changeable by customer service."] for name in refused})
    elif actor.has_any(ADMIN) and actor.customer_id is not None:
        if "email" in changes:
            raise EMAIL_CHANGE_NOT_ALLOWED("Only customer service corrects a user's e-mail.",
                                           errors={"email": ["Ask customer service to correct an e-mail address."]})
    else:
        raise FORBIDDEN("Your role does not allow this.")
    with transaction(ctx.session_factory) as db:
        user = _target(db, actor, user_id, lock=True)
        now = ctx.clock()
        if "roles" in changes and set(changes["roles"]) != set(user.roles):
            wanted = set(changes["roles"])
            _check_roles(wanted, is_customer_user=user.customer_id is not None)
            if ADMIN in user.roles and ADMIN not in wanted and _active_admins(db, user.customer_id) <= {user.id}:
                raise LAST_ADMIN("A customer keeps at least one admin.",
                                 errors={"roles": ["This is the company's last active admin."]})
            old_roles = user.roles
            user.set_roles(wanted)
            user.updated_at = now
            events.user_roles_changed(db, ctx, user, sorted(wanted))
            # Tokens carry the roles: the old ones stop working, the next refresh carries the new ones.
            revoke_access(db, ctx, user_id=user.id, customer_id=user.customer_id, reason="roles_changed")
            audit.record(db, ctx, actor, action="user.roles_changed", target_type="user", target_id=user.id,
                         customer_id=user.customer_id, before={"roles": old_roles}, after={"roles": sorted(wanted)})
        if "name" in changes and changes["name"].strip() != user.name:
            old_name = user.name
            user.name = changes["name"].strip()
            user.updated_at = now
            audit.record(db, ctx, actor, action="user.renamed", target_type="user", target_id=user.id,
                         customer_id=user.customer_id, before={"name": old_name}, after={"name": user.name})
        if "email" in changes:
            address = normalize_email(changes["email"])
            if address != user.email:
                _email_free(db, address, user_id=user.id)
                old = {"email": user.email, "email_verified": user.email_verified}
                user.email = address
                user.email_verified = False
                user.updated_at = now
                # Links already mailed to the old address must stop working.
                tokens.cancel_links(db, ctx, user.id, (PURPOSE_RESET_PASSWORD, PURPOSE_VERIFY_EMAIL), reason=REVOKED)
                send_verification(db, ctx, user)
                audit.record(db, ctx, actor, action="user.email_corrected", target_type="user", target_id=user.id,
                             customer_id=user.customer_id, before=old, after={"email": address, "email_verified": False})
        db.flush()
        return user_view(user)


def disable_user(ctx: Context, actor: Actor, user_id: str) -> None:
    """The user can no longer sign in; every refresh-token family is revoked at once."""
    with transaction(ctx.session_factory) as db:
        user = _target(db, actor, user_id, lock=True)
        if user.id == actor.user_id:
            raise CANNOT_DISABLE_SELF("You cannot disable your own account.")
        if user.status == DISABLED:
            return
        before = audit_user(user)
        user.status = DISABLED
        user.updated_at = ctx.clock()
        tokens.revoke_families(db, ctx, user.id, reason="disabled")
        revoke_access(db, ctx, user_id=user.id, customer_id=user.customer_id, reason="user_disabled")
        tokens.cancel_links(db, ctx, user.id,
                            (PURPOSE_RESET_PASSWORD, PURPOSE_VERIFY_EMAIL, PURPOSE_INVITATION, PURPOSE_ACTIVATION),
                            reason=REVOKED)
        audit.record(db, ctx, actor, action="user.disabled", target_type="user", target_id=user.id,
                     customer_id=user.customer_id, before=before, after=audit_user(user))


def list_audit(ctx: Context, *, customer_id: str, limit: int) -> list[dict[str, Any]]:
    with transaction(ctx.session_factory) as db:
        entries = db.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.customer_id == customer_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        return [audit_view(entry) for entry in entries]


def create_active_user(
    ctx: Context,
    actor: Actor,
    *,
    username: str,
    name: str,
    roles: list[str],
    password: str,
    customer_id: str | None,
    email: str | None = None,
) -> dict[str, Any]:
    """An already active user with a known password: for demo and bootstrap data, not the HTTP API."""
    name_key = normalize_username(username)
    address = normalize_email(email) if email else None
    _check_roles(set(roles), is_customer_user=customer_id is not None)
    problems = password_problems(password, forbidden=[name_key])
    if problems:
        raise weak_password("password", problems)
    with transaction(ctx.session_factory) as db:
        if db.scalar(sa.select(User.id).where(User.username == name_key)):
            raise USERNAME_TAKEN("This user name is taken.", errors={"username": ["Already in use."]})
        if address:
            _email_free(db, address)
        now = ctx.clock()
        user = User(customer_id=customer_id, username=name_key, email=address, email_verified=address is not None,
                    name=name, status=ACTIVE, created_at=now, updated_at=now)
        set_password(ctx, user, password)
        user.set_roles(set(roles))
        db.add(user)
        db.flush()
        events.user_created(db, ctx, user, sorted(roles))
        audit.record(db, ctx, actor, action="user.created", target_type="user", target_id=user.id,
                     customer_id=customer_id, after=audit_user(user))
        return user_view(user)
