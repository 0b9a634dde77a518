"""BBVA Multipagos (other banks pay through it too): its page shows folio, reference, concept and amount."""
from __future__ import annotations

import requests

from payment_service.adapters.banks.base import PaymentStart
from payment_service.adapters.banks.hosted import HostedPageBank


def _concept(payment: PaymentStart) -> str:
    # Multipagos shows the concept in a narrow field: keep it short and upper case, as its statements do.
    return f"PAGO FACTURAS {payment.reference}"


def bbva(base_url: str, secret: str, http: requests.Session, **timeouts) -> HostedPageBank:
    return HostedPageBank("bbva", base_url, secret, http, concept=_concept, **timeouts)
