"""The bank's notification signature: hex(HMAC-SHA256(secret, f"{timestamp}." + raw_body))."""
from __future__ import annotations

import hashlib
import hmac


def sign(secret: str, timestamp: int, raw_body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
