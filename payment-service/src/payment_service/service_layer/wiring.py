"""Builds the PaymentContext from settings: the web tier and the reconciliation job share it."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from payment_service.adapters.banks import build_banks
from payment_service.adapters.orm import OUTBOX
from payment_service.service_layer.context import PaymentContext
from portal_shared.db import utcnow
from portal_shared.outbox import Outbox


def build_context(config: Mapping[str, Any], session_factory: sessionmaker[Session]) -> PaymentContext:
    return PaymentContext(
        session_factory=session_factory,
        outbox=Outbox(OUTBOX),
        banks=config.get("BANKS") or build_banks(config),
        portal_base_url=config["PORTAL_BASE_URL"],
        callback_base_url=config["PAYMENT_CALLBACK_BASE_URL"],
        reconcile_after_seconds=config["RECONCILE_AFTER_SECONDS"],
        expire_seconds=config["PAYMENT_EXPIRE_SECONDS"],
        clock=config.get("CLOCK") or utcnow,
    )
