"""Why a mailed link cannot be used: its ending first, then the user's state, then its age."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from identity_service.domain.links import (
    ALREADY_ACTIVE,
    EXPIRED,
    REVOKED,
    SUPERSEDED,
    UNKNOWN,
    USED,
    LinkFacts,
    ending,
    why_unusable,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
RESET = LinkFacts(purpose="reset_password", ended_reason=None, used=False, expires_at=NOW + timedelta(minutes=5),
                  link_email="bea@demo.mx", user_status="active", user_email="bea@demo.mx", user_email_verified=True)
INVITATION = replace(RESET, purpose="invitation", user_status="pending_activation", user_email_verified=False)
VERIFY = replace(RESET, purpose="verify_email", user_email_verified=False)


@pytest.mark.parametrize("link, expected", [
    (RESET, None),
    (None, UNKNOWN),
    (replace(RESET, user_status=None), UNKNOWN),
    (replace(RESET, used=True, ended_reason=USED), USED),
    (replace(RESET, used=True, ended_reason=None), USED),  # ended before reasons were recorded
    (replace(RESET, used=True, ended_reason=SUPERSEDED), SUPERSEDED),
    (replace(RESET, used=True, ended_reason=REVOKED), REVOKED),
    (replace(RESET, expires_at=NOW), EXPIRED),
    (replace(RESET, used=True, ended_reason=SUPERSEDED, expires_at=NOW), SUPERSEDED),
    (replace(RESET, user_status="disabled"), REVOKED),
    (INVITATION, None),
    (replace(INVITATION, used=True, ended_reason=USED, user_status="active"), USED),
    (replace(INVITATION, used=True, ended_reason=SUPERSEDED, user_status="active"), ALREADY_ACTIVE),
    (replace(INVITATION, expires_at=NOW, user_status="active"), ALREADY_ACTIVE),
    (replace(INVITATION, expires_at=NOW), EXPIRED),
    (replace(INVITATION, used=True, ended_reason=SUPERSEDED), SUPERSEDED),
    (replace(INVITATION, user_status="disabled"), REVOKED),
    (VERIFY, None),
    (replace(VERIFY, user_email="bea.nueva@demo.mx"), REVOKED),
    # Opened again once the address is verified: success again, even after it would have expired.
    (replace(VERIFY, used=True, ended_reason=USED, user_email_verified=True, expires_at=NOW), None),
    (replace(VERIFY, used=True, ended_reason=USED), USED),
    (replace(VERIFY, used=True, ended_reason=SUPERSEDED, user_email_verified=True), SUPERSEDED),
])
def test_why_a_link_cannot_be_used(link, expected):
    assert why_unusable(link, NOW) == expected


def test_ending_without_a_recorded_reason():
    assert ending(None, used=False) is None
    assert ending(None, used=True) == USED
    assert ending(SUPERSEDED, used=True) == SUPERSEDED
