"""The signed server-to-server notification the bank posts to the merchant's notify_url."""
from __future__ import annotations

import json
import logging
import time

import requests

from bank_simulator.signing import sign

log = logging.getLogger("bank_simulator.notify")


def notification_body(payment: dict) -> bytes:
    return json.dumps(
        {
            "bank_payment_id": payment["id"],
            "reference": payment["reference"],
            "status": payment["status"],
            "bank_reference": payment["bank_reference"],
            "email": payment["email"],
            "amount": payment["amount"],
        },
        separators=(",", ":"),
    ).encode()


def notify(http: requests.Session, payment: dict, *, secret: str, timeout: float) -> bool:
    """Post once; True when the merchant answered 2xx. Failures are logged: a real bank does not
    stop the customer's redirect because the merchant is down (the merchant must ask later)."""
    body = notification_body(payment)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Bank-Timestamp": str(timestamp),
        "X-Bank-Signature": sign(secret, timestamp, body),
    }
    try:
        response = http.post(payment["notify_url"], data=body, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        log.warning("notification not delivered: %s", exc)
        return False
    if not response.ok:
        log.warning("notification answered %s: %s", response.status_code, response.text[:300])
    return response.ok
