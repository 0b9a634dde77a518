"""Reads of the API: accounts, invoices, balances and credit status of one customer, in SQL.

Pages, counts and totals are all computed by the database (indexes on (customer, status,
due date) and (account, status, due date)), so a customer with thousands of open invoices
costs a handful of indexed queries, not a loop over them.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing_service.adapters.cfdi import read_cfdi
from billing_service.adapters.cfdi_archive import ArchivedCfdi, cfdi_archive
from billing_service.adapters.orm import RATE, BillingAccount, Customer, Invoice, InvoiceCfdi
from billing_service.domain.calendar import Period
from billing_service.domain.credit import credit_status
from billing_service.domain.money import CURRENCIES, ZERO
from billing_service.service_layer.context import BillingContext
from billing_service.service_layer.errors import (
    ACCOUNT_NOT_FOUND,
    CFDI_NOT_FOUND,
    CUSTOMER_UNKNOWN,
    INVOICE_NOT_FOUND,
    NO_CFDIS_IN_MONTH,
)
from billing_service.service_layer.rates import current_rate
from portal_shared.db import transaction
from portal_shared.mexico import mxn_for, to_cents


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def require_customer(session: Session, customer_id: uuid.UUID) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        # identity registers customers; billing learns of them by event, maybe a moment later.
        raise CUSTOMER_UNKNOWN("billing has no customer with this id (yet).")
    return customer


def account_in_scope(session: Session, customer_id: uuid.UUID, account_number: str | None) -> uuid.UUID | None:
    if account_number is None:
        return None
    account_id = session.scalar(
        sa.select(BillingAccount.id).where(
            BillingAccount.customer_id == customer_id, BillingAccount.account_number == account_number
        )
    )
    if account_id is None:
        raise ACCOUNT_NOT_FOUND("The customer has no account with this number.",
                                errors={"account": ["No such account."]})
    return account_id


def customer_accounts(ctx: BillingContext, customer_id: uuid.UUID) -> dict[str, Any]:
    """The customer and its billing accounts, each with the customer's system account number."""
    with transaction(ctx.session_factory) as session:
        customer = require_customer(session, customer_id)
        return {
            "customer": {
                "id": customer.id,
                "rfc": customer.rfc,
                "name": customer.name,
                "system_account_number": customer.system_account_number,
            },
            "items": [
                {
                    "id": account.id,
                    "account_number": account.account_number,
                    "system_account_number": customer.system_account_number,
                    "opened_at": account.opened_at,
                }
                for account in customer.accounts
            ],
        }


def _scope(customer_id: uuid.UUID, account_id: uuid.UUID | None, status: str | None) -> list:
    conditions = [Invoice.customer_id == customer_id]
    if account_id is not None:
        conditions.append(Invoice.account_id == account_id)
    if status is not None:
        conditions.append(Invoice.status == status)
    return conditions


def invoice_view(invoice: Invoice, account_number: str, today: date) -> dict[str, Any]:
    return {
        "id": invoice.id,
        "invoice_number": invoice.invoice_number,
        "account_number": account_number,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "amount": invoice.amount,
        "pending_amount": invoice.pending_amount,
        "in_transit_amount": invoice.in_transit_amount,
        "status": invoice.status,
        "fiscal_folio": invoice.fiscal_folio,
        "overdue": invoice.status == "open" and invoice.due_date < today,
    }


def _page_of_invoices(session: Session, conditions: list, page: Page, order: list) -> tuple[list, int]:
    total = session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(*conditions))
    rows = session.execute(
        sa.select(Invoice, BillingAccount.account_number)
        .join(BillingAccount, Invoice.account_id == BillingAccount.id)
        .where(*conditions)
        .order_by(*order)
        .offset(page.offset)
        .limit(page.size)
    ).all()
    return rows, total


def list_invoices(
    ctx: BillingContext, customer_id: uuid.UUID, *, status: str | None, account: str | None, page: Page
) -> dict[str, Any]:
    with transaction(ctx.session_factory) as session:
        require_customer(session, customer_id)
        conditions = _scope(customer_id, account_in_scope(session, customer_id, account), status)
        rows, total = _page_of_invoices(
            session, conditions, page, [Invoice.due_date, Invoice.invoice_number]
        )
        with_cfdi = _with_cfdi(session, [invoice.id for invoice, _number in rows])
    today = ctx.today()
    return {
        "items": [{**invoice_view(invoice, number, today), "has_cfdi": invoice.id in with_cfdi}
                  for invoice, number in rows],
        "page": page.number,
        "page_size": page.size,
        "total": total,
    }


def get_invoice(ctx: BillingContext, customer_id: uuid.UUID, invoice_id: uuid.UUID) -> dict[str, Any]:
    with transaction(ctx.session_factory) as session:
        row = session.execute(
            sa.select(Invoice, BillingAccount.account_number)
            .join(BillingAccount, Invoice.account_id == BillingAccount.id)
            .where(Invoice.id == invoice_id, Invoice.customer_id == customer_id)
        ).first()
        with_cfdi = _with_cfdi(session, [invoice_id]) if row is not None else set()
    if row is None:
        # Another customer's invoice is as absent as one that does not exist.
        raise INVOICE_NOT_FOUND("No such invoice.")
    return {**invoice_view(row[0], row[1], ctx.today()), "has_cfdi": invoice_id in with_cfdi}


def _with_cfdi(session: Session, invoice_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these invoices have a CFDI (one indexed query for a page; the XML stays unread)."""
    if not invoice_ids:
        return set()
    return set(session.scalars(sa.select(InvoiceCfdi.invoice_id).where(InvoiceCfdi.invoice_id.in_(invoice_ids))))


@dataclass(frozen=True)
class StoredCfdi:
    fiscal_folio: uuid.UUID
    xml: bytes


def invoice_cfdi(ctx: BillingContext, customer_id: uuid.UUID, invoice_id: uuid.UUID) -> StoredCfdi:
    """The invoice's CFDI as imported; the invoice scoped like get_invoice."""
    with transaction(ctx.session_factory) as session:
        found = session.execute(
            sa.select(Invoice.id, InvoiceCfdi.fiscal_folio, InvoiceCfdi.xml)
            .outerjoin(InvoiceCfdi, InvoiceCfdi.invoice_id == Invoice.id)
            .where(Invoice.id == invoice_id, Invoice.customer_id == customer_id)
        ).first()
    if found is None:
        raise INVOICE_NOT_FOUND("No such invoice.")
    if found.xml is None:
        raise CFDI_NOT_FOUND("This invoice has no CFDI.")
    return StoredCfdi(fiscal_folio=found.fiscal_folio, xml=bytes(found.xml))


def invoice_cfdi_pdf(ctx: BillingContext, customer_id: uuid.UUID, invoice_id: uuid.UUID) -> tuple[StoredCfdi, bytes]:
    """The invoice's CFDI and its printed representation, made from the XML as kept."""
    stored = invoice_cfdi(ctx, customer_id, invoice_id)
    return stored, ctx.render_cfdi_pdf(read_cfdi(stored.xml))


def month_of_cfdis(ctx: BillingContext, customer_id: uuid.UUID, month: Period) -> bytes:
    """A ZIP of the CFDIs (XML and PDF) of the customer's invoices issued in `month`."""
    with transaction(ctx.session_factory) as session:
        require_customer(session, customer_id)
        rows = session.execute(
            sa.select(Invoice.invoice_number, InvoiceCfdi.fiscal_folio, InvoiceCfdi.xml)
            .join(InvoiceCfdi, InvoiceCfdi.invoice_id == Invoice.id)
            .where(Invoice.customer_id == customer_id, Invoice.issue_date >= month.first_day,
                   Invoice.issue_date < month.end)
        ).all()
    if not rows:
        raise NO_CFDIS_IN_MONTH(f"No invoice issued in {month} has a CFDI.")
    return cfdi_archive([ArchivedCfdi(number, str(folio), bytes(xml)) for number, folio, xml in rows],
                        ctx.render_cfdi_pdf)


def balances(ctx: BillingContext, customer_id: uuid.UUID, *, account: str | None, page: Page) -> dict[str, Any]:
    """The open invoices with MXN equivalents at the current rate, and totals per currency."""
    today = ctx.today()
    with transaction(ctx.session_factory) as session:
        return _balances(session, customer_id, account, page, today)


def _balances(
    session: Session, customer_id: uuid.UUID, account: str | None, page: Page, today: date
) -> dict[str, Any]:
    require_customer(session, customer_id)
    conditions = _scope(customer_id, account_in_scope(session, customer_id, account), "open")
    rate = current_rate(session, today)
    rate_value = rate[1] if rate else None
    rows, total = _page_of_invoices(session, conditions, page, [Invoice.due_date, Invoice.invoice_number])
    items = []
    for invoice, number in rows:
        view = invoice_view(invoice, number, today)
        usd = invoice.currency == "USD"
        view["exchange_rate"] = rate_value if usd else None
        view["amount_mxn"] = mxn_for(invoice.amount, invoice.currency, rate_value)
        view["pending_mxn"] = mxn_for(invoice.pending_amount, invoice.currency, rate_value)
        items.append(view)

    # Per-invoice MXN rounding in SQL, as each item shows it and as a payment would price it.
    pending_mxn = (
        sa.func.sum(sa.func.round(Invoice.pending_amount * sa.literal(rate_value, RATE), 2))
        if rate_value is not None
        else sa.null()
    )
    sums = {
        currency: (pending, in_transit, converted)
        for currency, pending, in_transit, converted in session.execute(
            sa.select(
                Invoice.currency,
                sa.func.sum(Invoice.pending_amount),
                sa.func.sum(Invoice.in_transit_amount),
                pending_mxn,
            )
            .where(*conditions)
            .group_by(Invoice.currency)
        )
    }

    def money(value) -> Decimal:
        return to_cents(value) if value is not None else ZERO

    mxn = sums.get("MXN", (ZERO, ZERO, None))
    usd = sums.get("USD", (ZERO, ZERO, ZERO))
    usd_pending_mxn = money(usd[2]) if rate_value is not None else (None if money(usd[0]) else ZERO)
    totals = {
        "MXN": {"pending": money(mxn[0]), "in_transit": money(mxn[1])},
        "USD": {"pending": money(usd[0]), "in_transit": money(usd[1]), "pending_mxn": usd_pending_mxn},
        # Unknown (null) while USD is owed and no rate was ever set: never a misleading partial sum.
        "overall_pending_mxn": None if usd_pending_mxn is None else to_cents(money(mxn[0]) + usd_pending_mxn),
    }
    return {
        "items": items,
        "totals": totals,
        "rate": {"date": rate[0], "rate": rate[1]} if rate else None,
        "page": page.number,
        "page_size": page.size,
        "total": total,
    }


def customer_credit(ctx: BillingContext, customer_id: uuid.UUID) -> dict[str, Any]:
    """current, overdue (an open invoice past due) or blocked (past due more than credit_block_days)."""
    block_after_days = ctx.credit_block_days
    today = ctx.today()
    overdue = [Invoice.customer_id == customer_id, Invoice.status == "open", Invoice.due_date < today]
    with transaction(ctx.session_factory) as session:
        require_customer(session, customer_id)
        oldest = session.scalar(sa.select(sa.func.min(Invoice.due_date)).where(*overdue))
        by_currency = {
            currency: (count, pending)
            for currency, count, pending in session.execute(
                sa.select(Invoice.currency, sa.func.count(), sa.func.sum(Invoice.pending_amount))
                .where(*overdue)
                .group_by(Invoice.currency)
            )
        }
    status, days = credit_status(oldest, today, block_after_days)
    return {
        "customer_id": customer_id,
        "status": status,
        "days_overdue": days,
        "oldest_due_date": oldest,
        "overdue_invoices": sum(count for count, _ in by_currency.values()),
        "overdue_pending": {c: to_cents(by_currency.get(c, (0, ZERO))[1]) for c in CURRENCIES},
        "block_after_days": block_after_days,
    }
