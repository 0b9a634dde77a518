"""Bank adapters behind one interface (base.BankAdapter): start a payment, verify a callback, ask a status.

A real bank is a new adapter registered in build_banks, not a new flow.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payment_service.adapters.banks.base import (
    BankAdapter,
    BankStatus,
    BankUnavailable,
    CallbackResult,
    InvalidCallback,
    MalformedCallback,
    PaymentStart,
    StartResult,
)
from payment_service.adapters.banks.bbva import bbva
from payment_service.adapters.banks.citibanamex import citibanamex
from payment_service.adapters.banks.http import make_http_session

__all__ = [
    "BankAdapter",
    "BankStatus",
    "BankUnavailable",
    "CallbackResult",
    "InvalidCallback",
    "MalformedCallback",
    "PaymentStart",
    "StartResult",
    "build_banks",
]


def build_banks(config: Mapping[str, Any]) -> dict[str, BankAdapter]:
    """Every bank a customer may choose, by the name the API uses; one pooled HTTP session for all."""
    http = make_http_session(pool_size=config["BANK_HTTP_POOL_SIZE"])
    timeouts = dict(
        connect_timeout=config["BANK_CONNECT_TIMEOUT_SECONDS"],
        read_timeout=config["BANK_READ_TIMEOUT_SECONDS"],
        status_timeout=config["BANK_STATUS_TIMEOUT_SECONDS"],
        tolerance_seconds=config["CALLBACK_TOLERANCE_SECONDS"],
    )
    return {
        "citibanamex": citibanamex(config["CITIBANAMEX_URL"], config["CITIBANAMEX_SECRET"], http, **timeouts),
        "bbva": bbva(config["BBVA_URL"], config["BBVA_SECRET"], http, **timeouts),
    }
