"""Access tokens (signed), refresh tokens (opaque, rotating in families) and mailed one-time links."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal_shared.auth import ACCESS, ACTIVATION

from identity_service.adapters.orm import OneTimeToken, RefreshFamily, RefreshToken, User
from identity_service.domain.links import USED
from identity_service.service_layer.context import Context


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str | None
    must_change_password: bool


def new_secret() -> tuple[str, str]:
    """A random token for the user and the sha256 we keep of it."""
    raw = secrets.token_urlsafe(32)
    return raw, digest(raw)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# Access tokens carry wall-clock times: every verifier checks them against its own clock, so
# the injectable clock (which drives expiries stored here) must not move them.
def _access_token(ctx: Context, user: User, family_id: str) -> tuple[str, int]:
    ttl = int(ctx.settings["ACCESS_TOKEN_TTL_SECONDS"])
    token = ctx.signer.issue(
        user_id=user.id,
        customer_id=user.customer_id,
        roles=user.roles,
        username=user.username,
        token_type=ACCESS,
        session_id=family_id,
        ttl=timedelta(seconds=ttl),
    )
    return token, ttl


def activation_token(ctx: Context, user: User) -> Tokens:
    """The RFC first sign-in: no roles, no refresh token, good only for choosing e-mail and password."""
    ttl = int(ctx.settings["ACTIVATION_TOKEN_TTL_SECONDS"])
    token = ctx.signer.issue(
        user_id=user.id,
        customer_id=user.customer_id,
        roles=[],
        username=user.username,
        token_type=ACTIVATION,
        ttl=timedelta(seconds=ttl),
    )
    return Tokens(access_token=token, expires_in=ttl, refresh_token=None, must_change_password=True)


def successor_of(ctx: Context, refresh_token: str) -> str:
    """The refresh token that replaces `refresh_token`. Derived, not random: a refresh repeated
    within the grace window (a second tab, a retried request) is given the same successor again
    without the successor ever being stored in the clear."""
    return ctx.signer.derive("refresh-successor", refresh_token)


def _add_refresh_token(db: Session, ctx: Context, family_id: str, raw: str | None = None) -> str:
    if raw is None:
        raw, hashed = new_secret()
    else:
        hashed = digest(raw)
    now = ctx.clock()
    db.add(
        RefreshToken(
            token_hash=hashed,
            family_id=family_id,
            issued_at=now,
            expires_at=now + ctx.seconds("REFRESH_TOKEN_TTL_SECONDS"),
        )
    )
    return raw


def start_family(db: Session, ctx: Context, user: User) -> Tokens:
    """A new sign-in: a new refresh-token family and the first pair of tokens."""
    family = RefreshFamily(user_id=user.id, created_at=ctx.clock())
    db.add(family)
    db.flush()
    refresh = _add_refresh_token(db, ctx, family.id)
    access, ttl = _access_token(ctx, user, family.id)
    return Tokens(access_token=access, expires_in=ttl, refresh_token=refresh, must_change_password=False)


def continue_family(db: Session, ctx: Context, user: User, family_id: str, rotated: str) -> Tokens:
    """The pair that follows the refresh token `rotated`: its successor and a new access token."""
    refresh = _add_refresh_token(db, ctx, family_id, successor_of(ctx, rotated))
    access, ttl = _access_token(ctx, user, family_id)
    return Tokens(access_token=access, expires_in=ttl, refresh_token=refresh, must_change_password=False)


def repeat_family(ctx: Context, user: User, family_id: str, rotated: str) -> Tokens:
    """A refresh of `rotated` repeated within the grace window: the same successor, a new access token."""
    access, ttl = _access_token(ctx, user, family_id)
    return Tokens(access_token=access, expires_in=ttl, refresh_token=successor_of(ctx, rotated), must_change_password=False)


def revoke_families(db: Session, ctx: Context, user_id: str, *, reason: str, keep: str | None = None) -> int:
    query = sa.update(RefreshFamily).where(RefreshFamily.user_id == user_id, RefreshFamily.revoked_at.is_(None))
    if keep is not None:
        query = query.where(RefreshFamily.id != keep)
    result = db.execute(query.values(revoked_at=ctx.clock(), revoked_reason=reason))
    return result.rowcount


def revoke_family(db: Session, ctx: Context, family_id: str, *, reason: str) -> None:
    db.execute(
        sa.update(RefreshFamily)
        .where(RefreshFamily.id == family_id, RefreshFamily.revoked_at.is_(None))
        .values(revoked_at=ctx.clock(), revoked_reason=reason)
    )


def mint_link(db: Session, ctx: Context, *, user: User, purpose: str, email: str | None, ttl_setting: str) -> str:
    """A single-use link token; only its hash is stored."""
    raw, hashed = new_secret()
    now = ctx.clock()
    db.add(
        OneTimeToken(
            token_hash=hashed,
            purpose=purpose,
            user_id=user.id,
            email=email,
            created_at=now,
            expires_at=now + ctx.seconds(ttl_setting),
        )
    )
    return raw


def find_link(db: Session, raw: str, purposes: tuple[str, ...], *, lock: bool = True) -> OneTimeToken | None:
    """The token of one of these purposes, used or not, expired or not; locked for this
    transaction unless only looked at. domain.links says whether it can be used."""
    query = sa.select(OneTimeToken).where(OneTimeToken.token_hash == digest(raw), OneTimeToken.purpose.in_(purposes))
    return db.scalar(query.with_for_update() if lock else query)


def use_link(db: Session, ctx: Context, token: OneTimeToken) -> bool:
    """Mark it used; False if a concurrent request used it first."""
    result = db.execute(
        sa.update(OneTimeToken)
        .where(OneTimeToken.id == token.id, OneTimeToken.used_at.is_(None))
        .values(used_at=ctx.clock(), ended_reason=USED)
    )
    return result.rowcount == 1


def cancel_links(db: Session, ctx: Context, user_id: str, purposes: tuple[str, ...], *, reason: str) -> None:
    """End the user's open links of these purposes, saying why (SUPERSEDED or REVOKED)."""
    db.execute(
        sa.update(OneTimeToken)
        .where(OneTimeToken.user_id == user_id, OneTimeToken.purpose.in_(purposes), OneTimeToken.used_at.is_(None))
        .values(used_at=ctx.clock(), ended_reason=reason)
    )
