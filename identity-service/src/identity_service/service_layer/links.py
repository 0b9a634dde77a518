"""What the mailed links do: password recovery and reset, e-mail verification, activation."""
from __future__ import annotations

import sqlalchemy as sa

from portal_shared.db import transaction

from identity_service.adapters.orm import OneTimeToken, User
from identity_service.domain import mail
from identity_service.domain.model import (
    ACTIVE,
    PENDING_ACTIVATION,
    PURPOSE_ACTIVATION,
    PURPOSE_INVITATION,
    PURPOSE_RESET_PASSWORD,
    PURPOSE_VERIFY_EMAIL,
    normalize_email,
)
from identity_service.service_layer import audit, throttle, tokens
from identity_service.service_layer.audit import Actor
from identity_service.service_layer.auth import check_new_password, email_taken, set_password
from identity_service.service_layer.context import Context
from identity_service.service_layer.errors import email_in_use, invalid_link
from identity_service.service_layer.revocations import revoke_access
from identity_service.service_layer.views import audit_user


def _self(user: User) -> Actor:
    return Actor(user.id, user.username, user.customer_id, frozenset(user.roles))


def _recover_limit(ctx: Context) -> throttle.Limit:
    window = ctx.seconds("RECOVER_WINDOW_SECONDS")
    return throttle.Limit(max_failures=int(ctx.settings["RECOVER_MAX_MAILS"]), window=window, lockout=window)


def recover(ctx: Context, *, email: str) -> None:
    """Mail a reset link if an active user has this address; the caller answers the same either way."""
    address = normalize_email(email)
    ttl = int(ctx.settings["RESET_TOKEN_TTL_SECONDS"])
    # Minted, hashed and rendered whether or not the user exists, so both answers cost the same.
    raw, hashed = tokens.new_secret()
    with transaction(ctx.session_factory) as db:
        now = ctx.clock()
        # Counted for every address, known or not: a mailbox cannot be flooded with links and
        # both answers do the same writes. Past the limit no mail goes out, silently.
        counter = throttle.Counter(throttle.recover_key(address), _recover_limit(ctx))
        flooded = throttle.retry_after(db, [counter], now) is not None
        if not flooded:
            throttle.record_failure(db, counter, now)
        user = db.scalar(sa.select(User).where(User.email == address, User.status == ACTIVE))
        message = mail.reset_password(ctx.link("/reset-password", raw), user.name if user else address, ttl)
        if user is None or flooded:
            return
        db.add(
            OneTimeToken(
                token_hash=hashed, purpose=PURPOSE_RESET_PASSWORD, user_id=user.id, email=address,
                created_at=now, expires_at=now + ctx.seconds("RESET_TOKEN_TTL_SECONDS"),
            )
        )
        ctx.outbox.add_mail(db, to=address, subject=message.subject, text=message.text)


def reset(ctx: Context, *, token: str, new_password: str) -> None:
    with transaction(ctx.session_factory) as db:
        link = tokens.find_link(db, ctx, token, (PURPOSE_RESET_PASSWORD,))
        user = db.get(User, link.user_id, with_for_update=True) if link else None
        if link is None or user is None or user.status != ACTIVE:
            raise invalid_link()
        # Checked before the token is spent, so a refused password leaves the link usable.
        check_new_password(user, new_password)
        if not tokens.use_link(db, ctx, link):
            raise invalid_link()
        set_password(ctx, user, new_password)
        tokens.cancel_links(db, ctx, user.id, (PURPOSE_RESET_PASSWORD,))
        tokens.revoke_families(db, ctx, user.id, reason="password_reset")
        revoke_access(db, ctx, user_id=user.id, customer_id=user.customer_id, reason="password_reset")
        # Whoever reads the mailbox owns the account; lift a lock an attacker may have caused.
        throttle.clear(db, throttle.account_key(user.username))
        audit.record(db, ctx, _self(user), action="user.password_reset", target_type="user",
                     target_id=user.id, customer_id=user.customer_id)


def verify_email(ctx: Context, *, token: str) -> None:
    with transaction(ctx.session_factory) as db:
        link = tokens.find_link(db, ctx, token, (PURPOSE_VERIFY_EMAIL,))
        user = db.get(User, link.user_id, with_for_update=True) if link else None
        # A link for an address the user has since replaced proves nothing about the new one.
        if link is None or user is None or user.email != link.email or not tokens.use_link(db, ctx, link):
            raise invalid_link()
        user.email_verified = True
        user.updated_at = ctx.clock()


def activate(ctx: Context, *, token: str, new_password: str) -> None:
    """An invitation or operator activation link: the user's e-mail is proven and a password chosen."""
    with transaction(ctx.session_factory) as db:
        link = tokens.find_link(db, ctx, token, (PURPOSE_INVITATION, PURPOSE_ACTIVATION))
        user = db.get(User, link.user_id, with_for_update=True) if link else None
        if link is None or user is None or user.status != PENDING_ACTIVATION:
            raise invalid_link()
        check_new_password(user, new_password)
        address = normalize_email(link.email or user.email or "")
        if not address:
            raise invalid_link()
        if email_taken(db, address, by_other_than=user.id):
            raise email_in_use()
        if not tokens.use_link(db, ctx, link):
            raise invalid_link()
        before = audit_user(user)
        user.email = address
        user.email_verified = True
        user.status = ACTIVE
        set_password(ctx, user, new_password)
        tokens.cancel_links(db, ctx, user.id, (PURPOSE_INVITATION, PURPOSE_ACTIVATION))
        audit.record(db, ctx, _self(user), action="user.activated", target_type="user", target_id=user.id,
                     customer_id=user.customer_id, before=before, after=audit_user(user))
