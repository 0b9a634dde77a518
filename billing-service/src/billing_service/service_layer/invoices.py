"""Invoice import: all rows or none, idempotent by invoice number, in a few bulk queries."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing_service.adapters.cfdi import UnreadableCfdi, read_cfdi
from billing_service.adapters.orm import BillingAccount, Customer, Invoice, InvoiceCfdi
from billing_service.config import SERVICE_NAME
from billing_service.domain.cfdi import CFDI_FOLIO_IN_USE, CFDI_INVALID, ExpectedInvoice, cfdi_problems
from billing_service.service_layer.context import BillingContext
from billing_service.service_layer.errors import CONCURRENT_IMPORT, INVOICE_FIGURES_DIFFER, INVOICE_ROWS_REFUSED
from portal_shared.contracts import Event, new_event
from portal_shared.correlation import get_correlation_id
from portal_shared.db import transaction
from portal_shared.mexico import to_cents

# Fields an existing invoice must repeat exactly for a re-sent row to count as unchanged.
COMPARED = ("account_number", "currency", "amount", "issue_date", "due_date", "fiscal_folio")
# Bound parameter lists: PostgreSQL takes 65535 parameters per statement.
CHUNK = 1000


@dataclass(frozen=True)
class ImportResult:
    imported: int
    unchanged: int


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i:i + CHUNK] for i in range(0, len(items), CHUNK)]


def issued_event(invoice: Invoice, account_number: str) -> Event:
    return new_event(
        "billing.invoice.issued",
        1,
        {
            "invoice_id": invoice.id,
            "invoice_number": invoice.invoice_number,
            "customer_id": invoice.customer_id,
            "account_number": account_number,
            "currency": invoice.currency,
            "amount": invoice.amount,
            "pending_amount": invoice.pending_amount,
            "issue_date": invoice.issue_date,
            "due_date": invoice.due_date,
            "fiscal_folio": str(invoice.fiscal_folio) if invoice.fiscal_folio else None,
        },
        producer=SERVICE_NAME,
        correlation_id=get_correlation_id(),
    )


def import_invoices(ctx: BillingContext, rows: Sequence[dict]) -> ImportResult:
    """Rows as the API schema loaded them (stripped strings, Decimal amounts, dates), in one transaction.

    Refused with nothing written: invalid rows (a number twice in the file, an account billing
    does not know, a CFDI breaking a rule of domain.cfdi), conflicting ones (a number billing holds
    with other figures or another CFDI), or an import that raced another one writing the same
    numbers. Field errors name the row: "invoices.<index>.<field>"; a CFDI's say which rule in
    field_codes. A row's CFDI gives the invoice its fiscal folio (the stamp's UUID).
    """
    try:
        with transaction(ctx.session_factory) as session:
            return _import(ctx, session, rows)
    except IntegrityError as exc:
        # Another import inserted the same number between this one's read and its insert.
        raise CONCURRENT_IMPORT("Another import wrote the same invoices; send this one again.") from exc


def _import(ctx: BillingContext, session: Session, rows: Sequence[dict]) -> ImportResult:
    invalid: dict[str, dict[str, list[str]]] = {}
    first_seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = row["invoice_number"]
        if number in first_seen:
            invalid.setdefault(str(index), {})["invoice_number"] = [
                f"Invoice {number!r} appears again (first at row {first_seen[number]})."
            ]
        else:
            first_seen[number] = index

    account_numbers = sorted({row["account_number"] for row in rows})
    accounts: dict[str, tuple[uuid.UUID, uuid.UUID, str]] = {}
    for chunk in _chunks(account_numbers):
        for number, account_id, customer_id, rfc in session.execute(
            sa.select(BillingAccount.account_number, BillingAccount.id, BillingAccount.customer_id, Customer.rfc)
            .join(Customer, BillingAccount.customer_id == Customer.id)
            .where(BillingAccount.account_number.in_(chunk))
        ):
            accounts[number] = (account_id, customer_id, rfc)
    for index, row in enumerate(rows):
        if row["account_number"] not in accounts:
            invalid.setdefault(str(index), {})["account_number"] = [
                f"Unknown account number {row['account_number']!r}."
            ]
    field_codes: dict[str, list[str]] = {}
    cfdis = _checked_cfdis(ctx, session, rows, accounts, invalid, field_codes)
    if invalid:
        raise INVOICE_ROWS_REFUSED("Invalid or missing: invoices.", errors={"invoices": invalid},
                                   field_codes=field_codes)
    # The stamp's UUID is the invoice's folio fiscal, compared and stored as such.
    rows = [{**row, "fiscal_folio": cfdis[index].fiscal_folio} if index in cfdis else row
            for index, row in enumerate(rows)]

    existing: dict[str, dict[str, Any]] = {}
    held_cfdis: dict[str, bytes | None] = {}
    for chunk in _chunks(list(first_seen)):
        for invoice, account_number, held_xml in session.execute(
            sa.select(Invoice, BillingAccount.account_number, InvoiceCfdi.xml)
            .join(BillingAccount, Invoice.account_id == BillingAccount.id)
            .outerjoin(InvoiceCfdi, InvoiceCfdi.invoice_id == Invoice.id)
            .where(Invoice.invoice_number.in_(chunk))
        ):
            held_cfdis[invoice.invoice_number] = held_xml
            existing[invoice.invoice_number] = {
                "account_number": account_number,
                "currency": invoice.currency,
                "amount": invoice.amount,
                "issue_date": invoice.issue_date,
                "due_date": invoice.due_date,
                "fiscal_folio": invoice.fiscal_folio,
            }

    conflicts: dict[str, dict[str, list[str]]] = {}
    new_rows: list[dict] = []
    for index, row in enumerate(rows):
        held = existing.get(row["invoice_number"])
        if held is None:
            new_rows.append(row)
            continue
        for name in COMPARED:
            wanted = to_cents(row[name]) if name == "amount" else row.get(name)
            if wanted != held[name]:
                conflicts.setdefault(str(index), {})[name] = [
                    f"Invoice {row['invoice_number']!r} is already imported with {name} {held[name]}; "
                    f"an imported invoice is never changed."
                ]
        if index in cfdis and cfdis[index].xml != held_cfdis[row["invoice_number"]]:
            having = "another CFDI" if held_cfdis[row["invoice_number"]] else "no CFDI"
            conflicts.setdefault(str(index), {})["cfdi_xml"] = [
                f"Invoice {row['invoice_number']!r} is already imported with {having}; "
                f"an imported invoice is never changed."
            ]
    if conflicts:
        raise INVOICE_FIGURES_DIFFER("Rows contradict invoices already imported; nothing was imported.",
                                     errors={"invoices": conflicts})

    now = ctx.clock()
    invoices = []
    for row in new_rows:
        account_id, customer_id, _rfc = accounts[row["account_number"]]
        amount = to_cents(row["amount"])
        invoices.append(
            Invoice(
                id=uuid.uuid4(),
                invoice_number=row["invoice_number"],
                account_id=account_id,
                customer_id=customer_id,
                issue_date=row["issue_date"],
                due_date=row["due_date"],
                currency=row["currency"],
                amount=amount,
                pending_amount=amount,
                in_transit_amount=to_cents(0),
                status="open",
                fiscal_folio=row.get("fiscal_folio"),
                version=1,
                created_at=now,
                updated_at=now,
            )
        )
    if invoices:
        # One multi-row insert (SQLAlchemy batches it), not a round trip per invoice.
        session.execute(sa.insert(Invoice), [_columns(invoice) for invoice in invoices])
        stamped = [
            {"invoice_id": invoice.id, "fiscal_folio": invoice.fiscal_folio, "xml": row["cfdi_xml"].encode("utf-8"),
             "imported_at": now}
            for invoice, row in zip(invoices, new_rows) if row.get("cfdi_xml") is not None
        ]
        if stamped:
            session.execute(sa.insert(InvoiceCfdi), stamped)
        ctx.publish(
            session, [issued_event(invoice, row["account_number"]) for invoice, row in zip(invoices, new_rows)]
        )
    return ImportResult(imported=len(invoices), unchanged=len(rows) - len(invoices))


@dataclass(frozen=True)
class CheckedCfdi:
    xml: bytes  # as imported: what the customer downloads
    fiscal_folio: uuid.UUID


def _checked_cfdis(
    ctx: BillingContext, session: Session, rows: Sequence[dict],
    accounts: dict[str, tuple[uuid.UUID, uuid.UUID, str]],
    invalid: dict[str, dict[str, list[str]]], field_codes: dict[str, list[str]],
) -> dict[int, CheckedCfdi]:
    """The rows' CFDIs that pass every rule, by row index; every broken rule goes into `invalid`
    (the message) and `field_codes` (the rule's code) under the row's field."""

    def refuse(index: int, field: str, code: str, message: str) -> None:
        invalid.setdefault(str(index), {}).setdefault(field, []).append(message)
        field_codes.setdefault(f"invoices.{index}.{field}", []).append(code)

    checked: dict[int, CheckedCfdi] = {}
    for index, row in enumerate(rows):
        if row.get("cfdi_xml") is None or row["account_number"] not in accounts:
            continue
        number = row["invoice_number"]
        xml = row["cfdi_xml"].encode("utf-8")
        try:
            cfdi = read_cfdi(xml)
        except UnreadableCfdi as exc:
            refuse(index, "cfdi_xml", CFDI_INVALID, f"Invoice {number!r}: the CFDI is {exc}.")
            continue
        expected = ExpectedInvoice(
            invoice_number=number, amount=row["amount"], currency=row["currency"],
            customer_rfc=accounts[row["account_number"]][2], vendor_rfc=ctx.vendor_rfc,
            fiscal_folio=str(row["fiscal_folio"]) if row.get("fiscal_folio") else None,
        )
        problems = cfdi_problems(cfdi, expected)
        for problem in problems:
            refuse(index, problem.field, problem.code, problem.message)
        if not problems:
            checked[index] = CheckedCfdi(xml=xml, fiscal_folio=uuid.UUID(cfdi.stamp.uuid))

    # One CFDI is one invoice's: not twice in the file, nor another invoice's already.
    first_with: dict[uuid.UUID, int] = {}
    for index, found in sorted(checked.items()):
        if found.fiscal_folio in first_with:
            refuse(index, "cfdi_xml", CFDI_FOLIO_IN_USE,
                   f"Invoice {rows[index]['invoice_number']!r}: the CFDI {found.fiscal_folio} is also the one of "
                   f"row {first_with[found.fiscal_folio]}.")
        else:
            first_with[found.fiscal_folio] = index
    for chunk in _chunks(list(first_with)):
        for folio, holder in session.execute(
            sa.select(InvoiceCfdi.fiscal_folio, Invoice.invoice_number)
            .join(Invoice, InvoiceCfdi.invoice_id == Invoice.id)
            .where(InvoiceCfdi.fiscal_folio.in_(chunk))
        ):
            index = first_with[folio]
            if holder != rows[index]["invoice_number"]:
                refuse(index, "cfdi_xml", CFDI_FOLIO_IN_USE,
                       f"Invoice {rows[index]['invoice_number']!r}: the CFDI {folio} is invoice {holder!r}'s.")
    return checked


def _columns(invoice: Invoice) -> dict[str, Any]:
    return {column.key: getattr(invoice, column.key) for column in Invoice.__table__.columns}
