"""A confirmed payment's REP, from the confirmation to the PAC's stamp.

prepare_receipt runs in the transaction that applies payment.confirmed: it keeps the facts the REP
states as they stood then and queues the receipt on the outbox's "stamp" channel, so a receipt
exists if and only if the payment was applied, once per payment however often the event arrives.
billing-stamper (the outbox relay of that channel) then calls stamp_receipt: seal once with the
vendor's CSD, have the PAC stamp it, keep the stamped XML. A PAC outage leaves the outbox row
unsent and the relay retries it; nothing is lost and, as the sealed document is kept and the PAC
answers a repeat with its first stamp, nothing is stamped twice.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from billing_service.adapters.cfdi import UnreadableCfdi, read_cfdi
from billing_service.adapters.orm import OUTBOX, InvoiceCfdi, PaymentReceipt
from billing_service.adapters.pac import SEALED_TOO_LONG_AGO, Pac, PacRefused
from billing_service.adapters.rep import Taxpayer
from billing_service.domain.rep import (
    PAID_LATER,
    RECEIPT_FIGURES_REFUSED,
    RECEIPT_INVOICE_WITHOUT_CFDI,
    REFUSED,
    STAMPED,
    WAITING,
    ConfirmedPayment,
    PaidInvoice,
    ReceiptFigures,
    ReceiptRefused,
    receipt_deadline,
    receipt_figures,
)
from billing_service.service_layer.context import BillingContext
from portal_shared.contracts import Event
from portal_shared.db import transaction
from portal_shared.logging import log_fields
from portal_shared.outbox import Outbox

if TYPE_CHECKING:
    from billing_service.service_layer.payments import AppliedNow

log = logging.getLogger(__name__)

CHANNEL_STAMP = "stamp"
STAMP_TOPIC = "billing.payment_receipt"

Seal = Callable[..., bytes]


@dataclass(frozen=True)
class ReceiptIssuer:
    """What billing-stamper alone holds: the vendor as issuer, its CSD (as `seal`) and the PAC."""

    issuer: Taxpayer
    # seal(figures, issuer=, receiver=, issued_at=, series=, folio=) -> the sealed REP's XML
    seal: Seal
    pac: Pac
    series: str


# --- at confirmation ---------------------------------------------------------------------------


def prepare_receipt(ctx: BillingContext, session: Session, event: Event, applied: list[AppliedNow]) -> None:
    """Keep the REP's facts for the invoices this confirmation applied money to, and queue it."""
    data = event.data
    payment_id = data["payment_id"]
    if session.get(PaymentReceipt, payment_id) is not None:
        return
    items = {str(item["invoice_id"]): item for item in data["items"]}
    documents, receiver, missing = [], None, []
    # What the REP will state the payment paid: the invoices it lists, and those it must list but cannot yet.
    total = Decimal("0.00")
    for entry in sorted(applied, key=lambda e: e.invoice.invoice_number):
        stored = session.get(InvoiceCfdi, entry.invoice.id)
        cfdi = _readable(stored)
        if cfdi is None:
            missing.append(entry.invoice.invoice_number)
            total += entry.pair.amount_mxn
            continue
        if cfdi.payment_method is not None and not cfdi.payment_method.startswith(PAID_LATER):
            continue  # issued PUE: declared paid when issued, so no REP lists it
        receiver = receiver or {"rfc": cfdi.receiver_rfc, "name": cfdi.receiver_name,
                                "tax_regime": cfdi.receiver_regime, "postal_code": cfdi.receiver_postal_code}
        item = items[str(entry.invoice.id)]
        total += entry.pair.amount_mxn
        documents.append({
            "invoice_number": entry.invoice.invoice_number,
            "fiscal_uuid": str(stored.fiscal_folio).upper(),
            "series": cfdi.series,
            "folio": cfdi.folio,
            "currency": entry.invoice.currency,
            "amount": str(entry.pair.amount),
            "amount_mxn": str(entry.pair.amount_mxn),
            "balance_before": str(entry.balance_before),
            "earlier_payments": entry.earlier_payments,
            "exchange_rate": None if item.get("exchange_rate") is None else str(item["exchange_rate"]),
        })
    if not documents and not missing:
        return  # every invoice paid was issued PUE
    confirmed_at = data["confirmed_at"]
    receipt = PaymentReceipt(
        payment_id=payment_id,
        customer_id=data["customer_id"],
        reference=data["reference"],
        bank=data["bank"],
        bank_reference=data["bank_reference"],
        total_mxn=total,
        confirmed_at=confirmed_at,
        deadline=receipt_deadline(confirmed_at),
        status=WAITING,
        facts={"receiver": receiver, "documents": documents},
        attempts=0,
        created_at=ctx.clock(),
        updated_at=ctx.clock(),
    )
    if missing:
        # A REP must name each invoice's folio fiscal: an invoice imported without its CFDI stops
        # it until a person imports the CFDI and issues the receipt again.
        receipt.status = REFUSED
        receipt.refusal_code = RECEIPT_INVOICE_WITHOUT_CFDI
        receipt.refusal = f"Invoices without their CFDI: {', '.join(missing)}"
    session.add(receipt)
    session.flush()
    if receipt.status == WAITING:
        queue_stamping(session, payment_id)


def _readable(stored: InvoiceCfdi | None):
    if stored is None:
        return None
    try:
        return read_cfdi(bytes(stored.xml))
    except UnreadableCfdi:  # checked when imported; a later schema change must not stop the payment
        log.exception("an imported CFDI is no longer readable", extra=log_fields({"invoice_id": str(stored.invoice_id)}))
        return None


def queue_stamping(session: Session, payment_id: uuid.UUID) -> None:
    """An outbox row on the "stamp" channel: billing-stamper sends it when the transaction commits."""
    Outbox(OUTBOX).add_message(session, CHANNEL_STAMP, STAMP_TOPIC, {"payment_id": str(payment_id)})


# --- in billing-stamper ------------------------------------------------------------------------


def confirmed_payment(receipt: PaymentReceipt) -> ConfirmedPayment:
    documents = receipt.facts["documents"]
    return ConfirmedPayment(
        payment_id=str(receipt.payment_id),
        bank_reference=receipt.bank_reference,
        confirmed_at=receipt.confirmed_at,
        total_mxn=receipt.total_mxn,
        invoices=tuple(
            PaidInvoice(
                fiscal_uuid=d["fiscal_uuid"],
                currency=d["currency"],
                amount=Decimal(d["amount"]),
                amount_mxn=Decimal(d["amount_mxn"]),
                balance_before=Decimal(d["balance_before"]),
                earlier_payments=int(d["earlier_payments"]),
                exchange_rate=None if d["exchange_rate"] is None else Decimal(d["exchange_rate"]),
                series=d["series"],
                folio=d["folio"],
            )
            for d in documents
        ),
    )


def stamp_receipt(ctx: BillingContext, issuer: ReceiptIssuer, payment_id: uuid.UUID) -> str:
    """Seal (once) and stamp the payment's REP; returns its status. PacUnavailable propagates:
    the caller (the outbox relay) sends the same again later."""
    with transaction(ctx.session_factory) as session:
        receipt = session.get(PaymentReceipt, payment_id, with_for_update=True)
        if receipt is None or receipt.status != WAITING:
            return receipt.status if receipt else "missing"
        receipt.attempts += 1
        receipt.updated_at = ctx.clock()
        if receipt.sealed_xml is None:
            try:
                figures = receipt_figures(confirmed_payment(receipt))
            except ReceiptRefused as refused:
                _refuse(receipt, RECEIPT_FIGURES_REFUSED, str(refused))
                return REFUSED
            receipt.sealed_xml = _sealed(issuer, figures, receipt, ctx.clock())
        sealed = bytes(receipt.sealed_xml)
    # The PAC is called outside any transaction: its answer may take seconds.
    try:
        stamped = issuer.pac.stamp(sealed)
    except PacRefused as refusal:
        return _record_refusal(ctx, payment_id, refusal)
    with transaction(ctx.session_factory) as session:
        receipt = session.get(PaymentReceipt, payment_id, with_for_update=True)
        if receipt.status == STAMPED:
            return STAMPED
        stamp = read_cfdi(stamped).stamp
        receipt.stamped_xml = stamped
        receipt.fiscal_folio = uuid.UUID(stamp.uuid)
        receipt.stamped_at = ctx.clock()
        receipt.status = STAMPED
        receipt.refusal_code = receipt.refusal = None
        receipt.updated_at = ctx.clock()
    log.info("payment receipt stamped", extra=log_fields({"payment_id": str(payment_id), "fiscal_folio": stamp.uuid}))
    return STAMPED


def _sealed(issuer: ReceiptIssuer, figures: ReceiptFigures, receipt: PaymentReceipt, now: datetime) -> bytes:
    receiver = Taxpayer(**receipt.facts["receiver"])
    return issuer.seal(figures, issuer=issuer.issuer, receiver=receiver, issued_at=now,
                       series=issuer.series, folio=receipt.reference)


def _record_refusal(ctx: BillingContext, payment_id: uuid.UUID, refusal: PacRefused) -> str:
    with transaction(ctx.session_factory) as session:
        receipt = session.get(PaymentReceipt, payment_id, with_for_update=True)
        receipt.updated_at = ctx.clock()
        if refusal.code == SEALED_TOO_LONG_AGO:
            # An outage outlasted the 72 hours SAT allows between sealing and stamping: sealed
            # anew (a new Fecha) at the next attempt, which the relay makes after its back-off.
            receipt.sealed_xml = None
        else:
            _refuse(receipt, f"pac.{refusal.code}", refusal.message)
    if refusal.code == SEALED_TOO_LONG_AGO:
        raise StampLater(f"sealed too long ago; sealing again ({refusal})")
    log.warning("the PAC refused a payment receipt", extra=log_fields({
        "payment_id": str(payment_id), "code": refusal.code, "pac_message": refusal.message}))
    return REFUSED


class StampLater(Exception):
    """Nothing went wrong for good: try the same receipt again after a while."""


def _refuse(receipt: PaymentReceipt, code: str, detail: str) -> None:
    receipt.status = REFUSED
    receipt.refusal_code = code
    receipt.refusal = detail[:2000]
