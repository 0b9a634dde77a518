"""The bank adapter's verification of notifications: HMAC over "timestamp.raw_body", ±300 s, constant-time."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from payment_service.adapters.banks import InvalidCallback, MalformedCallback
from payment_service.adapters.banks.citibanamex import citibanamex
from payment_service.adapters.banks.signing import sign

SECRET = "s3cret"
NOW = 1_800_000_000
BODY = json.dumps(
    {"bank_payment_id": "b1", "reference": "P1", "status": "approved", "bank_reference": "BC-Banamex 063197",
     "email": "cxp@example.mx", "amount": "10.00"}
).encode()


@pytest.fixture
def bank():
    adapter = citibanamex(
        "http://127.0.0.1:1", SECRET, requests.Session(),
        connect_timeout=1, read_timeout=1, status_timeout=1, tolerance_seconds=300,
    )
    adapter.clock = lambda: NOW
    return adapter


def headers(timestamp=NOW, body=BODY, secret=SECRET):
    return {"X-Bank-Timestamp": str(timestamp), "X-Bank-Signature": sign(secret, timestamp, body)}


def test_valid_signature_gives_the_notification(bank):
    result = bank.verify_callback(headers(), BODY)
    assert (result.status, result.bank_reference, result.amount, result.email) == (
        "approved", "BC-Banamex 063197", Decimal("10.00"), "cxp@example.mx",
    )


@pytest.mark.parametrize("skew", [-300, 300])
def test_edges_of_the_tolerance_are_accepted(bank, skew):
    assert bank.verify_callback(headers(NOW + skew), BODY).reference == "P1"


@pytest.mark.parametrize(
    "bad",
    [
        {},  # unsigned
        {"X-Bank-Timestamp": str(NOW)},
        headers(secret="other"),  # forged
        headers(NOW - 301),  # stale
        headers(NOW + 301),  # from the future
        {"X-Bank-Timestamp": "soon", "X-Bank-Signature": "00"},
        {"X-Bank-Timestamp": str(NOW), "X-Bank-Signature": "ñ" * 64},
    ],
)
def test_unsigned_forged_or_stale_is_refused(bank, bad):
    with pytest.raises(InvalidCallback):
        bank.verify_callback(bad, BODY)


def test_a_changed_body_breaks_the_signature(bank):
    with pytest.raises(InvalidCallback):
        bank.verify_callback(headers(), BODY.replace(b"10.00", b"1.00"))


def test_signed_garbage_is_malformed_not_trusted(bank):
    body = b'{"status": "approved"}'
    with pytest.raises(MalformedCallback):
        bank.verify_callback(headers(body=body), body)


def test_an_amount_sent_as_a_json_number_keeps_every_cent():
    from decimal import Decimal

    from payment_service.adapters.banks.hosted import HostedPageBank

    raw = (b'{"bank_payment_id": "b1", "reference": "P1", "status": "approved", '
           b'"bank_reference": "BC-Banamex 063197", "amount": 12345678901234567.89}')
    assert HostedPageBank._parse(raw).amount == Decimal("12345678901234567.89")
