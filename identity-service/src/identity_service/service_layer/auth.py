"""Signing in, the first sign-in with the RFC, refresh rotation, sign-out, password changes."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.db import transaction

from identity_service.adapters.orm import RefreshToken, User
from identity_service.domain import mail
from identity_service.domain.links import REVOKED, SUPERSEDED
from identity_service.domain.model import (
    ACTIVE,
    PENDING_ACTIVATION,
    PURPOSE_ACTIVATION,
    PURPOSE_INVITATION,
    PURPOSE_VERIFY_EMAIL,
    normalize_email,
    normalize_username,
)
from identity_service.domain.passwords import password_problems
from identity_service.domain.rfc import normalize_rfc
from identity_service.service_layer import audit, throttle, tokens
from identity_service.service_layer.audit import Actor
from identity_service.service_layer.context import Context
from identity_service.service_layer.errors import (
    ACCOUNT_INACTIVE,
    ALREADY_ACTIVATED,
    INVALID_CREDENTIALS,
    REFRESH_TOKEN_INVALID,
    SAME_PASSWORD,
    WRONG_CURRENT_PASSWORD,
    email_in_use,
    locked,
    weak_password,
)
from identity_service.service_layer.revocations import revoke_access
from identity_service.service_layer.tokens import Tokens
from identity_service.service_layer.views import audit_user

BAD_CREDENTIALS = "The user name or password is not correct."


def normal_limit(ctx: Context, *, per_address: bool = False) -> throttle.Limit:
    return throttle.Limit(
        max_failures=int(ctx.settings["LOGIN_ADDRESS_MAX_FAILURES" if per_address else "LOGIN_MAX_FAILURES"]),
        window=ctx.seconds("LOGIN_FAILURE_WINDOW_SECONDS"),
        lockout=ctx.seconds("LOGIN_LOCKOUT_SECONDS"),
    )


def first_sign_in_limit(ctx: Context, *, per_address: bool = False) -> throttle.Limit:
    return throttle.Limit(
        max_failures=int(ctx.settings["FIRST_LOGIN_ADDRESS_MAX_FAILURES" if per_address else "FIRST_LOGIN_MAX_FAILURES"]),
        window=ctx.seconds("FIRST_LOGIN_FAILURE_WINDOW_SECONDS"),
        lockout=ctx.seconds("FIRST_LOGIN_LOCKOUT_SECONDS"),
    )


def check_new_password(user: User, password: str, field: str = "new_password") -> None:
    forbidden = [user.username, user.customer.rfc if user.customer else None]
    problems = password_problems(password, forbidden=forbidden)
    if problems:
        raise weak_password(field, problems)


def set_password(ctx: Context, user: User, password: str) -> None:
    user.password_hash = ctx.passwords.hash(password)
    user.password_changed_at = ctx.clock()
    user.updated_at = user.password_changed_at


def _is_initial_user(user: User) -> bool:
    return user.customer is not None and user.username == user.customer.rfc


def login(ctx: Context, *, username: str, password: str, address: str) -> Tokens:
    name = normalize_username(username)
    now = ctx.clock()
    # Anyone can try the RFC as password (it is printed on every invoice), so that path has
    # its own, stricter counters besides the normal ones.
    tries_rfc = password.strip().upper() == name.upper()
    failed = False
    with transaction(ctx.session_factory) as db:
        # People sign in with their user name (the RFC for a company's first user) or the e-mail
        # they registered; both name one account, so both share its lockout counter.
        user = db.scalar(
            sa.select(User).where(sa.or_(User.username == name, User.email == normalize_email(username))).limit(1)
        )
        if user is not None:
            name = user.username
        pending_initial = user is not None and user.status == PENDING_ACTIVATION and _is_initial_user(user)
        counters = [
            throttle.Counter(throttle.account_key(name), normal_limit(ctx)),
            throttle.Counter(throttle.address_key(address), normal_limit(ctx, per_address=True)),
        ]
        if tries_rfc or pending_initial:
            counters += [
                throttle.Counter(throttle.first_account_key(name), first_sign_in_limit(ctx)),
                throttle.Counter(throttle.first_address_key(address), first_sign_in_limit(ctx, per_address=True)),
            ]
        wait = throttle.retry_after(db, counters, now)
        if wait is not None:
            raise locked(wait)

        if user is None:
            ctx.passwords.burn(password)
            verified = False
        elif pending_initial:
            # The initial password is the RFC itself; accept it typed in lower case too.
            verified = ctx.passwords.verify(user.password_hash, normalize_rfc(password))
        else:
            verified = ctx.passwords.verify(user.password_hash, password) and user.status == ACTIVE

        if not verified:
            for counter in counters:
                throttle.record_failure(db, counter, now)
            failed = True
        else:
            throttle.clear(db, throttle.account_key(name))
            throttle.clear(db, throttle.first_account_key(name))
            if pending_initial:
                result = tokens.activation_token(ctx, user)
            else:
                if ctx.passwords.needs_rehash(user.password_hash):
                    user.password_hash = ctx.passwords.hash(password)
                result = tokens.start_family(db, ctx, user)
    if failed:
        # Raised after the commit: the failure must be counted even though the answer is an error.
        raise INVALID_CREDENTIALS(BAD_CREDENTIALS)
    return result


def _send_verification(db: Session, ctx: Context, user: User) -> None:
    raw = tokens.mint_link(
        db, ctx, user=user, purpose=PURPOSE_VERIFY_EMAIL, email=user.email, ttl_setting="VERIFY_EMAIL_TOKEN_TTL_SECONDS"
    )
    message = mail.verify_email(ctx.link("/verify-email", raw), user.name, int(ctx.settings["VERIFY_EMAIL_TOKEN_TTL_SECONDS"]))
    ctx.outbox.add_mail(db, to=user.email, subject=message.subject, text=message.text)


def send_verification(db: Session, ctx: Context, user: User) -> None:
    """A verification link to the user's address; the ones sent before stop working."""
    tokens.cancel_links(db, ctx, user.id, (PURPOSE_VERIFY_EMAIL,), reason=SUPERSEDED)
    _send_verification(db, ctx, user)


def email_taken(db: Session, email: str, *, by_other_than: str | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if by_other_than is not None:
        query = query.where(User.id != by_other_than)
    return db.scalar(query) is not None


def first_login(ctx: Context, *, user_id: str, email: str, new_password: str) -> Tokens:
    """The activation step after the RFC sign-in: own e-mail and password, then normal tokens."""
    address = normalize_email(email)
    with transaction(ctx.session_factory) as db:
        user = db.get(User, user_id, with_for_update=True)
        if user is None or user.status != PENDING_ACTIVATION or not _is_initial_user(user):
            raise ALREADY_ACTIVATED("This account is already activated: sign in with your password.")
        check_new_password(user, new_password)
        if email_taken(db, address, by_other_than=user.id):
            raise email_in_use()
        before = audit_user(user)
        user.email = address
        user.email_verified = False
        user.status = ACTIVE
        set_password(ctx, user, new_password)
        # Activated with the RFC: any mailed activation link is for an account now active.
        tokens.cancel_links(db, ctx, user.id, (PURPOSE_ACTIVATION, PURPOSE_INVITATION), reason=REVOKED)
        send_verification(db, ctx, user)
        throttle.clear(db, throttle.first_account_key(user.username))
        audit.record(
            db, ctx, Actor(user.id, user.username, user.customer_id, frozenset(user.roles)),
            action="user.activated", target_type="user", target_id=user.id, customer_id=user.customer_id,
            before=before, after=audit_user(user),
        )
        return tokens.start_family(db, ctx, user)


def refresh(ctx: Context, *, refresh_token: str) -> Tokens:
    """Rotate a refresh token. The same token presented again within REFRESH_REUSE_GRACE_SECONDS
    of its rotation (two tabs refreshing at once, a retried request) gets the same successor; later,
    it was copied, and the whole family is revoked for every holder."""
    now = ctx.clock()
    grace = ctx.seconds("REFRESH_REUSE_GRACE_SECONDS")
    failure: str | None = None
    with transaction(ctx.session_factory) as db:
        row = db.get(RefreshToken, tokens.digest(refresh_token))
        if row is None or row.family.revoked_at is not None:
            failure = "unknown"
        elif row.rotated_at is not None:
            user = db.get(User, row.family.user_id)
            if now - row.rotated_at <= grace and user is not None and user.status == ACTIVE:
                result = tokens.repeat_family(ctx, user, row.family_id, refresh_token)
            else:
                # A rotated token came back after the grace: it was copied. Both holders lose the sign-in.
                tokens.revoke_family(db, ctx, row.family_id, reason="reuse")
                revoke_access(db, ctx, user_id=row.family.user_id, customer_id=user.customer_id if user else None,
                              session_id=row.family_id, reason="refresh_reused")
                failure = "reuse"
        elif row.expires_at <= now:
            failure = "expired"
        else:
            user = db.get(User, row.family.user_id)
            rotated = db.execute(
                sa.update(RefreshToken)
                .where(RefreshToken.token_hash == row.token_hash, RefreshToken.rotated_at.is_(None))
                .values(rotated_at=now)
            ).rowcount
            if user is None or user.status != ACTIVE:
                tokens.revoke_family(db, ctx, row.family_id, reason="user_inactive")
                failure = "inactive"
            elif rotated != 1:
                # Another request rotated it a moment ago (the other tab): it gets the same successor.
                result = tokens.repeat_family(ctx, user, row.family_id, refresh_token)
            else:
                result = tokens.continue_family(db, ctx, user, row.family_id, refresh_token)
    if failure is not None:
        raise REFRESH_TOKEN_INVALID("The refresh token is invalid, expired or was revoked. Sign in again.")
    return result


def logout(ctx: Context, *, refresh_token: str) -> None:
    with transaction(ctx.session_factory) as db:
        row = db.get(RefreshToken, tokens.digest(refresh_token))
        if row is not None and row.family.revoked_at is None:
            tokens.revoke_family(db, ctx, row.family_id, reason="logout")
            user = db.get(User, row.family.user_id)
            revoke_access(db, ctx, user_id=row.family.user_id, customer_id=user.customer_id if user else None,
                          session_id=row.family_id, reason="logout")


def change_password(ctx: Context, *, user_id: str, family_id: str | None, current_password: str, new_password: str) -> None:
    now = ctx.clock()
    wrong = False
    with transaction(ctx.session_factory) as db:
        user = db.get(User, user_id, with_for_update=True)
        if user is None or user.status != ACTIVE:
            raise ACCOUNT_INACTIVE("This account cannot sign in.")
        counter = throttle.Counter(throttle.account_key(user.username), normal_limit(ctx))
        wait = throttle.retry_after(db, [counter], now)
        if wait is not None:
            raise locked(wait)
        if not ctx.passwords.verify(user.password_hash, current_password):
            # Counted like a failed sign-in: a stolen access token must not allow guessing.
            throttle.record_failure(db, counter, now)
            wrong = True
        else:
            check_new_password(user, new_password)
            if ctx.passwords.verify(user.password_hash, new_password):
                raise SAME_PASSWORD("Choose a password different from the current one.",
                                    errors={"new_password": ["The new password must differ from the current one."]})
            set_password(ctx, user, new_password)
            tokens.revoke_families(db, ctx, user.id, reason="password_changed", keep=family_id)
            # Every access token issued so far; this sign-in's next refresh gets a fresh one.
            revoke_access(db, ctx, user_id=user.id, customer_id=user.customer_id, reason="password_changed")
            audit.record(
                db, ctx, Actor(user.id, user.username, user.customer_id, frozenset(user.roles)),
                action="user.password_changed", target_type="user", target_id=user.id, customer_id=user.customer_id,
            )
    if wrong:
        raise WRONG_CURRENT_PASSWORD("The current password is not correct.",
                                     errors={"current_password": ["The current password is not correct."]})
