"""Signatures of bank notifications: hex(HMAC-SHA256(secret, f"{timestamp}." + raw_body))."""
from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Bank-Timestamp"
SIGNATURE_HEADER = "X-Bank-Signature"


def sign(secret: str, timestamp: int | str, raw_body: bytes) -> str:
    message = f"{timestamp}.".encode() + raw_body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_is_valid(secret: str, timestamp: str, raw_body: bytes, signature: str, *, now: float, tolerance: float) -> bool:
    """True only for a fresh timestamp (±tolerance seconds) and the exact signature, compared in constant time."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > tolerance:
        return False
    expected = sign(secret, sent_at, raw_body)
    # Compared as bytes: compare_digest refuses non-ASCII str, which a forger could send.
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode("utf-8", "replace"))
