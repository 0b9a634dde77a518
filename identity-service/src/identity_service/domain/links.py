"""Why a mailed link can or cannot be used: the rule in one place, so the action and the check
that only looks at a link answer alike.

A link ends for one of three reasons, recorded on it when it ends: it was used, a newer link
of the same purpose was sent (superseded), or what it was for no longer applies: the password
was reset with another link, the e-mail address changed, the user was disabled (revoked).
A link ended before the reason was recorded counts as used.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from identity_service.domain.model import (
    ACTIVE,
    PENDING_ACTIVATION,
    PURPOSE_ACTIVATION,
    PURPOSE_INVITATION,
    PURPOSE_RESET_PASSWORD,
    PURPOSE_VERIFY_EMAIL,
)

# Why a link ended, as stored.
USED = "used"
SUPERSEDED = "superseded"
REVOKED = "revoked"
ENDINGS = (USED, SUPERSEDED, REVOKED)

# Why a link cannot be used now, besides its ending.
UNKNOWN = "unknown"  # no such link, or one for something else
EXPIRED = "expired"
ALREADY_ACTIVE = "already_active"  # an invitation or activation link of a user who is active

ACTIVATION_PURPOSES = (PURPOSE_INVITATION, PURPOSE_ACTIVATION)

# The links a page can ask about, by the page's name for them: /activate takes both an admin's
# invitation and an operator's activation link.
LINK_KINDS: dict[str, tuple[str, ...]] = {
    "reset_password": (PURPOSE_RESET_PASSWORD,),
    "activation": ACTIVATION_PURPOSES,
    "verify_email": (PURPOSE_VERIFY_EMAIL,),
}


@dataclass(frozen=True)
class LinkFacts:
    """What the rule reads of a link and its user."""

    purpose: str
    ended_reason: str | None
    used: bool
    expires_at: datetime
    link_email: str | None
    user_status: str | None  # None: the user does not exist
    user_email: str | None
    user_email_verified: bool


def ending(ended_reason: str | None, used: bool) -> str | None:
    if ended_reason is not None:
        return ended_reason
    return USED if used else None


def why_unusable(link: LinkFacts | None, now: datetime) -> str | None:
    """None when using the link now succeeds; otherwise why it cannot (UNKNOWN, EXPIRED,
    ALREADY_ACTIVE or an ending).

    A verification link already used for the address the user still has and has verified is
    usable: using it again changes nothing and answers success, as the first use did.
    """
    if link is None or link.user_status is None:
        return UNKNOWN
    ended = ending(link.ended_reason, link.used)
    if link.purpose in ACTIVATION_PURPOSES:
        if ended == USED:
            return USED
        if link.user_status == ACTIVE:
            return ALREADY_ACTIVE
        if link.user_status != PENDING_ACTIVATION:
            return REVOKED
    elif link.user_status != ACTIVE:
        return REVOKED
    if link.purpose == PURPOSE_VERIFY_EMAIL:
        # A link for an address the user has since replaced proves nothing about the new one.
        if link.link_email != link.user_email:
            return REVOKED
        if ended == USED and link.user_email_verified:
            return None
    if ended is not None:
        return ended
    if link.expires_at <= now:
        return EXPIRED
    return None
