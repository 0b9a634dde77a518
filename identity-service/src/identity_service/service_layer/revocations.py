"""Ending access before the access tokens expire: identity refuses them itself at once and tells
every other verifier (identity.access.revoked), in the transaction of the change that ends it."""
from __future__ import annotations

import time

from sqlalchemy.orm import Session

from portal_shared.auth import Revocation
from portal_shared.revocations import record_revocation

from identity_service.config import MAX_ACCESS_TOKEN_TTL_SECONDS
from identity_service.service_layer import events
from identity_service.service_layer.context import Context

# Past the longest life an access token can have (with the verifiers' leeway), the entry covers
# nothing any more and every verifier forgets it.
_KEPT_SECONDS = MAX_ACCESS_TOKEN_TTL_SECONDS + 60


def revoke_access(db: Session, ctx: Context, *, user_id: str, customer_id: str | None, reason: str,
                  session_id: str | None = None) -> None:
    """Refuse the access tokens of this user (of this one sign-in, with session_id) issued until now."""
    # The wall clock, as the tokens' iat (the injectable clock drives only what identity stores).
    now = time.time()
    revocation = Revocation(issued_before=now, expires_at=now + _KEPT_SECONDS, user_id=user_id,
                            customer_id=customer_id, session_id=session_id)
    record_revocation(db, revocation, reason=reason)
    events.access_revoked(db, ctx, revocation, reason=reason)
