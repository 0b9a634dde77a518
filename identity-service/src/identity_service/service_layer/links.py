"""What the mailed links do: password recovery and reset, e-mail verification, activation."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.db import transaction

from identity_service.adapters.orm import OneTimeToken, User
from identity_service.domain import mail
from identity_service.domain.links import (
    ACTIVATION_PURPOSES,
    ALREADY_ACTIVE,
    EXPIRED,
    REVOKED,
    SUPERSEDED,
    USED,
    LinkFacts,
    why_unusable,
)
from identity_service.domain.model import ACTIVE, PURPOSE_RESET_PASSWORD, PURPOSE_VERIFY_EMAIL, normalize_email
from identity_service.service_layer import audit, throttle, tokens
from identity_service.service_layer.audit import Actor
from identity_service.service_layer.auth import check_new_password, email_taken, send_verification, set_password
from identity_service.service_layer.context import Context
from identity_service.service_layer.errors import (
    ACCOUNT_INACTIVE,
    already_activated,
    email_already_verified,
    email_in_use,
    invalid_link,
    link_expired,
    link_superseded,
    link_used,
)
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
        # One reset link works at a time: the newest, in the mail the person reads last.
        tokens.cancel_links(db, ctx, user.id, (PURPOSE_RESET_PASSWORD,), reason=SUPERSEDED)
        db.add(
            OneTimeToken(
                token_hash=hashed, purpose=PURPOSE_RESET_PASSWORD, user_id=user.id, email=address,
                created_at=now, expires_at=now + ctx.seconds("RESET_TOKEN_TTL_SECONDS"),
            )
        )
        ctx.outbox.add_mail(db, to=address, subject=message.subject, text=message.text)


def _facts(link: OneTimeToken | None, user: User | None) -> LinkFacts | None:
    if link is None:
        return None
    return LinkFacts(
        purpose=link.purpose, ended_reason=link.ended_reason, used=link.used_at is not None,
        expires_at=link.expires_at, link_email=link.email, user_status=user.status if user else None,
        user_email=user.email if user else None, user_email_verified=bool(user and user.email_verified),
    )


# Why a link cannot be used, as the refusal its holder is given.
_REFUSALS = {
    USED: link_used,
    SUPERSEDED: link_superseded,
    EXPIRED: link_expired,
    ALREADY_ACTIVE: already_activated,
}


def _open_link(db: Session, ctx: Context, token: str, purposes: tuple[str, ...], *,
               lock: bool = True) -> tuple[OneTimeToken, User]:
    """The link and its user when the link can be used now; otherwise the refusal saying why not."""
    link = tokens.find_link(db, token, purposes, lock=lock)
    user = db.get(User, link.user_id, with_for_update=lock) if link else None
    reason = why_unusable(_facts(link, user), ctx.clock())
    if reason is not None:
        raise _REFUSALS.get(reason, invalid_link)()
    return link, user


def check_link(ctx: Context, *, token: str, purposes: tuple[str, ...]) -> None:
    """Refuse as the link's action would, without spending the link or changing anything else."""
    with transaction(ctx.session_factory) as db:
        _open_link(db, ctx, token, purposes, lock=False)


def reset(ctx: Context, *, token: str, new_password: str) -> None:
    with transaction(ctx.session_factory) as db:
        link, user = _open_link(db, ctx, token, (PURPOSE_RESET_PASSWORD,))
        # Checked before the token is spent, so a refused password leaves the link usable.
        check_new_password(user, new_password)
        if not tokens.use_link(db, ctx, link):
            raise link_used()
        set_password(ctx, user, new_password)
        # The other reset links no longer apply: the password they were for is gone.
        tokens.cancel_links(db, ctx, user.id, (PURPOSE_RESET_PASSWORD,), reason=REVOKED)
        tokens.revoke_families(db, ctx, user.id, reason="password_reset")
        revoke_access(db, ctx, user_id=user.id, customer_id=user.customer_id, reason="password_reset")
        # Whoever reads the mailbox owns the account; lift a lock an attacker may have caused.
        throttle.clear(db, throttle.account_key(user.username))
        audit.record(db, ctx, _self(user), action="user.password_reset", target_type="user",
                     target_id=user.id, customer_id=user.customer_id)


def verify_email(ctx: Context, *, token: str) -> None:
    """Mark the address verified. A link already used for it answers success again: a person
    who opens the mail twice is told the address is verified, which it is."""
    with transaction(ctx.session_factory) as db:
        link, user = _open_link(db, ctx, token, (PURPOSE_VERIFY_EMAIL,))
        if link.used_at is not None:
            return
        if not tokens.use_link(db, ctx, link):
            raise link_used()
        user.email_verified = True
        user.updated_at = ctx.clock()


def resend_verification(ctx: Context, *, user_id: str) -> None:
    """A new verification link for the signed-in user's unverified address; older ones stop working.

    Limited like recovery mails (RECOVER_MAX_MAILS per RECOVER_WINDOW_SECONDS, per user); past the
    limit nothing is sent and the answer is the same. A user without an address has nothing to verify.
    """
    with transaction(ctx.session_factory) as db:
        user = db.get(User, user_id, with_for_update=True)
        if user is None or user.status != ACTIVE:
            raise ACCOUNT_INACTIVE("This account cannot sign in any more.")
        if user.email_verified:
            raise email_already_verified()
        if not user.email:
            return
        now = ctx.clock()
        counter = throttle.Counter(throttle.verify_resend_key(user.id), _recover_limit(ctx))
        if throttle.retry_after(db, [counter], now) is not None:
            return
        throttle.record_failure(db, counter, now)
        send_verification(db, ctx, user)


def activate(ctx: Context, *, token: str, new_password: str) -> None:
    """An invitation or operator activation link: the user's e-mail is proven and a password chosen."""
    with transaction(ctx.session_factory) as db:
        link, user = _open_link(db, ctx, token, ACTIVATION_PURPOSES)
        check_new_password(user, new_password)
        address = normalize_email(link.email or user.email or "")
        if not address:
            raise invalid_link()
        if email_taken(db, address, by_other_than=user.id):
            raise email_in_use()
        if not tokens.use_link(db, ctx, link):
            raise link_used()
        before = audit_user(user)
        user.email = address
        user.email_verified = True
        user.status = ACTIVE
        set_password(ctx, user, new_password)
        # The user's other invitation and activation links are for an account now active.
        tokens.cancel_links(db, ctx, user.id, ACTIVATION_PURPOSES, reason=REVOKED)
        audit.record(db, ctx, _self(user), action="user.activated", target_type="user", target_id=user.id,
                     customer_id=user.customer_id, before=before, after=audit_user(user))
