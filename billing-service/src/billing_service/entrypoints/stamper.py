"""billing-stamper: the outbox relay of the "stamp" channel. Each row is a payment's REP to seal
with the vendor's CSD and have the PAC stamp, until SIGTERM/SIGINT.

A PAC that does not answer is a transport outage to the relay: the row stays unsent and the relay
backs off and sends it again, so an outage delays receipts and loses none.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any

import sqlalchemy as sa

from billing_service.adapters.orm import OUTBOX
from billing_service.adapters.pac import HttpPac, PacUnavailable
from billing_service.adapters.rep import Taxpayer, load_signer, payment_receipt_xml
from billing_service.config import Config
from billing_service.service_layer.context import BillingContext, build_context
from billing_service.service_layer.receipts import CHANNEL_STAMP, ReceiptIssuer, StampLater, stamp_receipt
from portal_shared.db import make_session_factory
from portal_shared.messaging.errors import DeliveryRefused, TransportUnavailable
from portal_shared.service.entrypoints import relay_main


def build_issuer(config: Mapping[str, Any]) -> ReceiptIssuer:
    """The vendor, its CSD and the PAC from the settings; a missing or wrong CSD stops the process
    at start, naming the setting."""
    for name in ("CSD_CERTIFICATE_PATH", "CSD_KEY_PATH"):
        if not config.get(name):
            raise ValueError(f"{name} is not set: billing-stamper seals every REP with the vendor's CSD")
    signer = load_signer(config["CSD_CERTIFICATE_PATH"], config["CSD_KEY_PATH"], config["CSD_KEY_PASSWORD"])
    if signer.rfc != config["VENDOR_RFC"]:
        raise ValueError(f"the CSD in CSD_CERTIFICATE_PATH is {signer.rfc}'s, not VENDOR_RFC {config['VENDOR_RFC']}'s")
    return ReceiptIssuer(
        issuer=Taxpayer(rfc=config["VENDOR_RFC"], name=config["VENDOR_NAME"],
                        tax_regime=config["VENDOR_TAX_REGIME"], postal_code=config["VENDOR_POSTAL_CODE"]),
        seal=partial(payment_receipt_xml, signer=signer),
        pac=HttpPac(config["PAC_URL"], config["PAC_USER"], config["PAC_PASSWORD"],
                    timeout_seconds=float(config["PAC_TIMEOUT_SECONDS"])),
        series=config["RECEIPT_SERIES"],
    )


class ReceiptSender:
    """The relay's Sender for the "stamp" channel."""

    def __init__(self, ctx: BillingContext, issuer: ReceiptIssuer):
        self.ctx = ctx
        self.issuer = issuer

    def send(self, row) -> None:
        payment_id = uuid.UUID(json.loads(row.payload)["payment_id"])
        try:
            stamp_receipt(self.ctx, self.issuer, payment_id)
        except PacUnavailable as outage:
            raise TransportUnavailable(str(outage)) from None
        except StampLater as later:
            raise DeliveryRefused(str(later)) from None

    def close(self) -> None:
        """Nothing held between rows: each PAC call is its own HTTP request."""


def main() -> None:
    config = Config()
    settings = config.as_dict()
    issuer = build_issuer(settings)

    def sender(engine: sa.Engine) -> ReceiptSender:
        return ReceiptSender(build_context(settings, make_session_factory(engine)), issuer)

    relay_main(config, OUTBOX, channel=CHANNEL_STAMP, sender=sender)


if __name__ == "__main__":
    main()
