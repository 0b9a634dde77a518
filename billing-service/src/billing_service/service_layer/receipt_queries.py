"""Reads of payment receipts (REP): a customer's, to download from the payment history, and the
staff's list of a month's receipts still unstamped against SAT's deadline."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from billing_service.adapters.cfdi import read_cfdi
from billing_service.adapters.orm import Customer, PaymentReceipt
from billing_service.domain.calendar import Period
from billing_service.domain.rep import STAMPED
from billing_service.service_layer.context import BillingContext
from billing_service.service_layer.errors import RECEIPT_NOT_FOUND, RECEIPT_NOT_STAMPED
from billing_service.service_layer.queries import Page
from portal_shared.db import transaction


@dataclass(frozen=True)
class StampedReceipt:
    fiscal_folio: uuid.UUID
    xml: bytes


def receipt_view(receipt: PaymentReceipt, customer: Customer, today) -> dict[str, Any]:
    documents = receipt.facts.get("documents", [])
    return {
        "payment_id": receipt.payment_id,
        "customer_id": receipt.customer_id,
        "customer_name": customer.name,
        "customer_rfc": customer.rfc,
        "reference": receipt.reference,
        "bank": receipt.bank,
        "bank_reference": receipt.bank_reference,
        "total_mxn": receipt.total_mxn,
        "confirmed_at": receipt.confirmed_at,
        "deadline": receipt.deadline,
        "status": receipt.status,
        "overdue": receipt.status != STAMPED and today > receipt.deadline,
        "fiscal_folio": str(receipt.fiscal_folio).upper() if receipt.fiscal_folio else None,
        "stamped_at": receipt.stamped_at,
        "refusal_code": receipt.refusal_code,
        "invoices": [{
            "invoice_number": d["invoice_number"],
            "fiscal_uuid": d["fiscal_uuid"],
            "currency": d["currency"],
            "amount": d["amount"],
            "installment": d["earlier_payments"] + 1,
        } for d in documents],
    }


def list_receipts(ctx: BillingContext, customer_id: uuid.UUID | None, *, month: Period | None,
                  unstamped: bool, page: Page, payment_ids: list[uuid.UUID] | None = None) -> dict[str, Any]:
    """customer_id None: every customer's (staff only; the API decides who may)."""
    conditions = []
    if payment_ids is not None:
        conditions.append(PaymentReceipt.payment_id.in_(payment_ids))
    if customer_id is not None:
        conditions.append(PaymentReceipt.customer_id == customer_id)
    if month is not None:
        conditions += [PaymentReceipt.confirmed_at >= month.starts_at, PaymentReceipt.confirmed_at < month.ends_at]
    if unstamped:
        conditions.append(PaymentReceipt.status != STAMPED)
    with transaction(ctx.session_factory) as session:
        total = session.scalar(sa.select(sa.func.count()).select_from(PaymentReceipt).where(*conditions))
        # Unstamped ones by their deadline first; a customer's history newest first.
        order = ([PaymentReceipt.deadline, PaymentReceipt.confirmed_at] if unstamped
                 else [PaymentReceipt.confirmed_at.desc()])
        rows = session.execute(
            sa.select(PaymentReceipt, Customer).join(Customer, Customer.id == PaymentReceipt.customer_id)
            .where(*conditions).order_by(*order, PaymentReceipt.payment_id)
            .offset(page.offset).limit(page.size)
        ).all()
        items = [receipt_view(receipt, customer, ctx.today()) for receipt, customer in rows]
    return {"items": items, "page": page.number, "page_size": page.size, "total": total}


def _scoped(session, customer_id: uuid.UUID, payment_id: uuid.UUID) -> PaymentReceipt:
    receipt = session.get(PaymentReceipt, payment_id)
    if receipt is None or receipt.customer_id != customer_id:
        # Another customer's receipt is as absent as one that does not exist.
        raise RECEIPT_NOT_FOUND("No receipt for this payment.")
    return receipt


def get_receipt(ctx: BillingContext, customer_id: uuid.UUID, payment_id: uuid.UUID) -> dict[str, Any]:
    with transaction(ctx.session_factory) as session:
        receipt = _scoped(session, customer_id, payment_id)
        return receipt_view(receipt, session.get(Customer, receipt.customer_id), ctx.today())


def stamped_receipt(ctx: BillingContext, customer_id: uuid.UUID, payment_id: uuid.UUID) -> StampedReceipt:
    with transaction(ctx.session_factory) as session:
        receipt = _scoped(session, customer_id, payment_id)
        if receipt.status != STAMPED:
            raise RECEIPT_NOT_STAMPED("The PAC has not stamped this payment's receipt yet.")
        return StampedReceipt(fiscal_folio=receipt.fiscal_folio, xml=bytes(receipt.stamped_xml))


def receipt_pdf(ctx: BillingContext, customer_id: uuid.UUID, payment_id: uuid.UUID) -> tuple[StampedReceipt, bytes]:
    """The stamped REP and its printed representation, made from the XML as stamped."""
    stamped = stamped_receipt(ctx, customer_id, payment_id)
    return stamped, ctx.render_cfdi_pdf(read_cfdi(stamped.xml))
