"""Citibanamex: its hosted page asks for the client number and the secret (NIP)."""
from __future__ import annotations

import requests

from payment_service.adapters.banks.base import PaymentStart
from payment_service.adapters.banks.hosted import HostedPageBank


def _concept(payment: PaymentStart) -> str:
    return f"Pago de facturas {payment.reference}"


def citibanamex(base_url: str, secret: str, http: requests.Session, **timeouts) -> HostedPageBank:
    return HostedPageBank("citibanamex", base_url, secret, http, concept=_concept, **timeouts)
