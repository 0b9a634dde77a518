"""Monthly statements of account: generated once per account and period, then kept as issued.

Re-running a period adds statements only for accounts that had none, so every statement keeps
its number, figures and PDF bytes (the PDF is rendered deterministically and stored).
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from billing_service.adapters.orm import BillingAccount, Customer, Invoice, PaymentApplication, Statement
from billing_service.adapters.pdf import InvoiceLine, PaymentLine, StatementDocument, UsageLine
from billing_service.config import SERVICE_NAME
from billing_service.domain.calendar import Period
from billing_service.domain.payments import APPLIED
from billing_service.domain.statements import closing_balance, statement_id, totals
from billing_service.service_layer.context import BillingContext
from billing_service.service_layer.errors import CONCURRENT_GENERATION, PERIOD_NOT_ENDED, STATEMENT_NOT_FOUND
from billing_service.service_layer.queries import Page, account_in_scope, require_customer
from billing_service.service_layer.usage import months_usage
from portal_shared.contracts import new_event
from portal_shared.correlation import get_correlation_id
from portal_shared.db import transaction
from portal_shared.mexico import mexico_date

CHUNK = 1000


@dataclass(frozen=True)
class GenerationResult:
    period: str
    generated: list[str]
    existing: int


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def _grouped_sums(session: Session, query_for, account_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list]:
    result: dict[uuid.UUID, list] = defaultdict(list)
    for chunk in _chunks(account_ids):
        for account_id, currency, amount in session.execute(query_for(chunk)):
            result[account_id].append((currency, amount))
    return result


def generate_statements(ctx: BillingContext, period: Period) -> GenerationResult:
    """Every account's statement of `period` not yet generated, in one transaction."""
    try:
        with transaction(ctx.session_factory) as session:
            return state_period(ctx, session, period)
    except IntegrityError as exc:
        # Another generation of the period took the same statement numbers first.
        raise CONCURRENT_GENERATION("Statements of this period were generated meanwhile; run again.") from exc


def state_period(
    ctx: BillingContext, session: Session, period: Period, *, customer_id: uuid.UUID | None = None
) -> GenerationResult:
    """generate_statements in the caller's transaction (only `customer_id`'s accounts when named)."""
    now = ctx.clock()
    if period.end > ctx.today():
        message = f"{period} has not ended yet (Mexico City time)."
        raise PERIOD_NOT_ENDED("Invalid or missing: period.", errors={"period": [message]})

    # Accounts with any invoice by the month's end have something to state.
    stated = sa.select(Invoice.account_id).where(Invoice.issue_date < period.end).distinct().subquery()
    query = (
        sa.select(BillingAccount, Customer)
        .join(Customer, BillingAccount.customer_id == Customer.id)
        .where(BillingAccount.id.in_(sa.select(stated.c.account_id)))
        .order_by(BillingAccount.account_number)
    )
    if customer_id is not None:
        query = query.where(BillingAccount.customer_id == customer_id)
    accounts = session.execute(query).all()
    done = set(session.scalars(sa.select(Statement.account_id).where(Statement.period == str(period))))
    todo = [(account, customer) for account, customer in accounts if account.id not in done]
    sequence = session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Statement.sequence), 0)).where(Statement.period == str(period))
    )
    if not todo:
        return GenerationResult(str(period), [], len(done))
    ids = [account.id for account, _ in todo]

    opening_invoiced = _grouped_sums(session, lambda chunk: (
        sa.select(Invoice.account_id, Invoice.currency, sa.func.sum(Invoice.amount))
        .where(Invoice.account_id.in_(chunk), Invoice.issue_date < period.first_day)
        .group_by(Invoice.account_id, Invoice.currency)
    ), ids)
    opening_paid = _grouped_sums(session, lambda chunk: (
        sa.select(PaymentApplication.account_id, PaymentApplication.currency, sa.func.sum(PaymentApplication.applied_amount))
        .where(
            PaymentApplication.account_id.in_(chunk),
            PaymentApplication.state == APPLIED,
            PaymentApplication.applied_at < period.starts_at,
        )
        .group_by(PaymentApplication.account_id, PaymentApplication.currency)
    ), ids)
    month_invoices: dict[uuid.UUID, list[InvoiceLine]] = defaultdict(list)
    month_payments: dict[uuid.UUID, list[PaymentLine]] = defaultdict(list)
    # Read in chunks before anything is added to the session: a query per account would also
    # autoflush each new statement on its own (two round trips per account instead of a few).
    usage_by_account: dict[str, list[dict]] = {}
    for chunk in _chunks([account.account_number for account, _ in todo]):
        usage_by_account.update(months_usage(session, chunk, str(period)))
    for chunk in _chunks(ids):
        for invoice in session.scalars(
            sa.select(Invoice)
            .where(Invoice.account_id.in_(chunk), Invoice.issue_date >= period.first_day, Invoice.issue_date < period.end)
            .order_by(Invoice.issue_date, Invoice.invoice_number)
        ):
            month_invoices[invoice.account_id].append(
                InvoiceLine(invoice.invoice_number, invoice.issue_date, invoice.due_date, invoice.currency, invoice.amount)
            )
        for application, number in session.execute(
            sa.select(PaymentApplication, Invoice.invoice_number)
            .join(Invoice, PaymentApplication.invoice_id == Invoice.id)
            .where(
                PaymentApplication.account_id.in_(chunk),
                PaymentApplication.state == APPLIED,
                PaymentApplication.applied_at >= period.starts_at,
                PaymentApplication.applied_at < period.ends_at,
            )
            .order_by(PaymentApplication.applied_at, Invoice.invoice_number, PaymentApplication.payment_id)
        ):
            month_payments[application.account_id].append(
                PaymentLine(
                    paid_on=mexico_date(application.applied_at),
                    invoice_number=number,
                    bank_reference=application.bank_reference or "",
                    currency=application.currency,
                    amount=application.applied_amount,
                    amount_mxn=application.amount_mxn,
                )
            )

    created: list[Statement] = []
    for account, customer in todo:
        sequence += 1
        opening = closing_balance(totals(opening_invoiced[account.id]), {}, totals(opening_paid[account.id]))
        invoices, payments = month_invoices[account.id], month_payments[account.id]
        invoiced = totals((line.currency, line.amount) for line in invoices)
        paid = totals((line.currency, line.amount) for line in payments)
        closing = closing_balance(opening, invoiced, paid)
        usage = usage_by_account.get(account.account_number, [])
        document = StatementDocument(
            statement_id=statement_id(period, sequence),
            period=str(period),
            issued_at=now,
            rfc=customer.rfc,
            customer_name=customer.name,
            account_number=account.account_number,
            system_account_number=customer.system_account_number,
            opening=opening, invoiced=invoiced, paid=paid, closing=closing,
            invoices=invoices, payments=payments,
            usage=[UsageLine(u["serial_number"], u["counter"], u["usage"]) for u in usage],
        )
        statement = Statement(
            id=document.statement_id, account_id=account.id, customer_id=customer.id, period=str(period),
            sequence=sequence, issued_at=now,
            opening_mxn=opening["MXN"], opening_usd=opening["USD"],
            invoiced_mxn=invoiced["MXN"], invoiced_usd=invoiced["USD"],
            paid_mxn=paid["MXN"], paid_usd=paid["USD"],
            closing_mxn=closing["MXN"], closing_usd=closing["USD"],
            pdf=ctx.render_pdf(document),
            meter_usage=usage,
        )
        session.add(statement)
        created.append(statement)
    session.flush()
    ctx.publish(session, [
        new_event(
            "billing.statement.published", 1,
            {
                "statement_id": statement.id, "customer_id": statement.customer_id,
                "account_number": account.account_number, "period": statement.period,
                "closing_balance_mxn": statement.closing_mxn, "closing_balance_usd": statement.closing_usd,
            },
            producer=SERVICE_NAME, correlation_id=get_correlation_id(),
        )
        for statement, (account, _customer) in zip(created, todo)
    ])
    return GenerationResult(str(period), [s.id for s in created], len(done))


def statement_view(statement: Statement, account_number: str) -> dict[str, Any]:
    return {
        "id": statement.id,
        "account_number": account_number,
        "period": statement.period,
        "issued_at": statement.issued_at,
        "opening_balance": {"MXN": statement.opening_mxn, "USD": statement.opening_usd},
        "invoiced": {"MXN": statement.invoiced_mxn, "USD": statement.invoiced_usd},
        "paid": {"MXN": statement.paid_mxn, "USD": statement.paid_usd},
        "closing_balance": {"MXN": statement.closing_mxn, "USD": statement.closing_usd},
        "meter_usage": statement.meter_usage or [],
        "pdf_url": f"/api/v1/statements/{statement.id}/pdf",
    }


def list_statements(
    ctx: BillingContext, customer_id: uuid.UUID, *, account: str | None, page: Page
) -> dict[str, Any]:
    with transaction(ctx.session_factory) as session:
        require_customer(session, customer_id)
        conditions = [Statement.customer_id == customer_id]
        account_id = account_in_scope(session, customer_id, account)
        if account_id is not None:
            conditions.append(Statement.account_id == account_id)
        query = sa.select(Statement, BillingAccount.account_number).join(
            BillingAccount, Statement.account_id == BillingAccount.id
        ).where(*conditions)
        total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
        rows = session.execute(
            query.order_by(Statement.period.desc(), BillingAccount.account_number).offset(page.offset).limit(page.size)
            # The PDF bytes stay in the database until a download asks for them.
            .options(defer(Statement.pdf))
        ).all()
    return {
        "items": [statement_view(statement, number) for statement, number in rows],
        "page": page.number,
        "page_size": page.size,
        "total": total,
    }


def statement_pdf(ctx: BillingContext, customer_id: uuid.UUID, statement_id_: str) -> tuple[str, bytes]:
    with transaction(ctx.session_factory) as session:
        row = session.execute(
            sa.select(Statement.id, Statement.pdf)
            .where(Statement.id == statement_id_, Statement.customer_id == customer_id)
        ).first()
    if row is None:
        raise STATEMENT_NOT_FOUND("No such statement.")
    return row[0], row[1]
