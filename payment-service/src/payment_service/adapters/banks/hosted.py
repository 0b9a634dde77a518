"""A bank with a hosted payment page, a JSON server API and signed notifications.

Both banks the portal offers work this way (so do their simulators); what differs per bank
lives in citibanamex.py and bbva.py.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

import requests

from payment_service.adapters.banks.base import (
    BankStatus,
    BankUnavailable,
    CallbackResult,
    InvalidCallback,
    MalformedCallback,
    PaymentStart,
    StartResult,
)
from payment_service.adapters.banks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_is_valid
# The answers a bank gives, as the payment's lifecycle names them: the adapters translate into these.
from payment_service.domain.lifecycle import APPROVED, CANCELLED, DECLINED
from payment_service.domain.lifecycle import STILL_PENDING as PENDING


class HostedPageBank:
    def __init__(
        self,
        name: str,
        base_url: str,
        secret: str,
        http: requests.Session,
        *,
        connect_timeout: float,
        read_timeout: float,
        status_timeout: float,
        tolerance_seconds: float,
        concept: Callable[[PaymentStart], str],
        clock: Callable[[], float] = time.time,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.http = http
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.status_timeout = status_timeout
        self.tolerance_seconds = tolerance_seconds
        self._concept = concept
        self.clock = clock

    def _call(self, method: str, path: str, *, timeout: float, answered: tuple[int, ...] = (), **kwargs) -> dict:
        """The bank's JSON answer; an error status is BankUnavailable unless listed in `answered`."""
        try:
            response = self.http.request(
                method, self.base_url + path, timeout=(self.connect_timeout, timeout), **kwargs
            )
        except requests.RequestException as exc:
            raise BankUnavailable(f"{self.name}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400 and response.status_code not in answered:
            raise BankUnavailable(f"{self.name} answered {response.status_code} to {method} {path}")
        try:
            body = response.json()
        except ValueError as exc:
            raise BankUnavailable(f"{self.name} answered {method} {path} with something other than JSON") from exc
        if not isinstance(body, dict):
            raise BankUnavailable(f"{self.name} answered {method} {path} with a JSON {type(body).__name__}")
        return body

    def start(self, payment: PaymentStart) -> StartResult:
        body = self._call(
            "POST",
            "/api/payments",
            timeout=self.read_timeout,
            json={
                "reference": payment.reference,
                "amount": str(payment.amount),
                "currency": "MXN",
                "concept": self._concept(payment),
                "return_url": payment.return_url,
                "notify_url": payment.notify_url,
            },
        )
        bank_payment_id, redirect_url = body.get("bank_payment_id"), body.get("redirect_url")
        if not isinstance(bank_payment_id, str) or not isinstance(redirect_url, str):
            raise BankUnavailable(f"{self.name} did not return bank_payment_id and redirect_url")
        return StartResult(bank_payment_id=bank_payment_id, redirect_url=redirect_url)

    def query_status(self, bank_payment_id: str) -> BankStatus:
        body = self._call(
            "GET", f"/api/payments/{requests.utils.quote(bank_payment_id, safe='')}", timeout=self.status_timeout
        )
        return self._status(body)

    def cancel(self, bank_payment_id: str) -> BankStatus:
        # 409: too late, the bank decided; its answer still says how, and the payment settles by it.
        body = self._call(
            "POST", f"/api/payments/{requests.utils.quote(bank_payment_id, safe='')}/cancel",
            timeout=self.status_timeout, answered=(409,),
        )
        return self._status(body)

    def _status(self, body: dict) -> BankStatus:
        status = body.get("status")
        if status not in (PENDING, APPROVED, DECLINED, CANCELLED):
            raise BankUnavailable(f"{self.name} reported an unknown status {status!r}")
        return BankStatus(status=status, bank_reference=body.get("bank_reference"), email=body.get("email"))

    def verify_callback(self, headers: Mapping[str, str], raw_body: bytes) -> CallbackResult:
        timestamp, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
        if not timestamp or not signature:
            raise InvalidCallback("the notification is not signed")
        if not signature_is_valid(
            self.secret, timestamp, raw_body, signature, now=self.clock(), tolerance=self.tolerance_seconds
        ):
            raise InvalidCallback("the signature is wrong or the timestamp is out of tolerance")
        return self._parse(raw_body)

    @staticmethod
    def _parse(raw_body: bytes) -> CallbackResult:
        try:
            # Amounts as Decimal straight from the text: a float would lose cents on large totals.
            body = json.loads(raw_body, parse_float=Decimal)
        except ValueError as exc:
            raise MalformedCallback("the notification is not JSON") from exc
        if not isinstance(body, dict):
            raise MalformedCallback("the notification is not a JSON object")
        for name in ("bank_payment_id", "reference", "status", "amount"):
            if not body.get(name):
                raise MalformedCallback(f"the notification lacks {name}")
        if body["status"] not in (APPROVED, DECLINED):
            raise MalformedCallback(f"unknown status {body['status']!r}")
        if body["status"] == APPROVED and not body.get("bank_reference"):
            raise MalformedCallback("an approval without bank_reference")
        try:
            amount = Decimal(str(body["amount"]))
        except InvalidOperation as exc:
            raise MalformedCallback("the amount is not a number") from exc
        return CallbackResult(
            bank_payment_id=str(body["bank_payment_id"]),
            reference=str(body["reference"]),
            status=body["status"],
            bank_reference=body.get("bank_reference"),
            email=body.get("email") or None,
            amount=amount,
        )
