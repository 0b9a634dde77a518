"""What a page says about a mailed link that can no longer be used, and the next step it offers.

identity answers each dead link with a code of its own (used, replaced by a newer one, expired,
an account already active, or simply not valid); the same code means a different next step on
each page: a reset link leads to asking for a new one, an invitation to signing in or to the
company's administrator, a verification link to sending a new one.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _

# identity's refusals that are about the link itself (docs/api.md); any other refusal is the
# form's business (a weak password) or the page's (identity unavailable).
LINK_CODES = frozenset({
    "identity.invalid_link", "identity.link_used", "identity.link_superseded", "identity.link_expired",
    "identity.already_activated",
})

# As identity's POST /api/v1/auth/links/check names the links each page takes.
RESET = "reset_password"
ACTIVATION = "activation"
VERIFY_EMAIL = "verify_email"


@dataclass(frozen=True)
class Step:
    label: str
    url: str


@dataclass(frozen=True)
class DeadLink:
    message: str
    steps: tuple[Step, ...] = ()
    # Verification only: a button that mails a new link to the signed-in user.
    resend: bool = False


def is_dead(code: str | None) -> bool:
    return code in LINK_CODES


def dead_link(kind: str, code: str | None, *, signed_in: bool = False) -> DeadLink:
    """The page's words for a link identity refused with `code` (one of LINK_CODES)."""
    if kind == RESET:
        return _reset(code)
    if kind == ACTIVATION:
        return _activation(code)
    return _verification(code, signed_in)


def _reset(code: str | None) -> DeadLink:
    if code == "identity.link_used":
        message = _("This link was already used. If you need to choose a new password again, ask for a new link.")
    elif code == "identity.link_expired":
        message = _("This link has expired: links to choose a new password work for a limited time. "
                    "Ask for a new one.")
    elif code == "identity.link_superseded":
        message = _("We sent you a more recent link: use the one in the latest e-mail, or ask for a new one.")
    else:
        message = _("This link is not valid or no longer applies. Ask for a new one.")
    return DeadLink(message, (Step(_("Ask for a new link"), url_for("web.recover")),))


def _activation(code: str | None) -> DeadLink:
    if code in ("identity.link_used", "identity.already_activated"):
        return DeadLink(_("Your account is already active. Sign in with your password."),
                        (Step(_("Sign in"), url_for("web.login")),
                         Step(_("Forgot your password?"), url_for("web.recover"))))
    if code == "identity.link_expired":
        message = _("This invitation has expired: ask your company's administrator to invite you again.")
    elif code == "identity.link_superseded":
        message = _("A newer invitation was sent to you: use the link in the latest invitation e-mail.")
    else:
        message = _("This invitation link is not valid or no longer applies. "
                    "Ask your company's administrator to invite you again.")
    return DeadLink(message, (Step(_("Go to sign in"), url_for("web.login")),))


def _verification(code: str | None, signed_in: bool) -> DeadLink:
    if code == "identity.link_expired":
        message = _("This verification link has expired.")
    elif code == "identity.link_superseded":
        message = _("We sent you a more recent verification link: use the one in the latest e-mail.")
    elif code == "identity.link_used":
        message = _("This verification link was already used.")
    else:
        message = _("This verification link is not valid or no longer applies.")
    if signed_in:
        return DeadLink(message, resend=True)
    return DeadLink(message, (Step(_("Sign in to ask for a new link"), url_for("web.login")),))
