"""POST /api/v1/invoices/import: all or nothing, idempotent by number, announced through the outbox."""
from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa

from billing_service.adapters.orm import OUTBOX, Invoice
from billing_service.api.schemas import InvoiceImportIn
from billing_service.service_layer.invoices import import_invoices
from portal_shared.db import transaction
from portal_shared.errors import UseCaseError


def count_invoices(session_factory, numbers) -> int:
    with transaction(session_factory) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(Invoice).where(Invoice.invoice_number.in_(numbers)))


def test_import_creates_invoices_and_announces_each(client, operator, customer, row, outbox_messages, session_factory):
    account = customer["account_numbers"][0]
    folio = str(uuid.uuid4())
    rows = [row(account, amount="1500.50", fiscal_folio=folio), row(account, currency="USD", amount="99.99")]

    response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)

    assert response.status_code == 200
    assert response.json == {"imported": 2, "unchanged": 0}
    with transaction(session_factory) as session:
        stored = {i.invoice_number: i for i in session.scalars(
            sa.select(Invoice).where(Invoice.invoice_number.in_([r["invoice_number"] for r in rows])))}
    first = stored[rows[0]["invoice_number"]]
    assert (str(first.amount), str(first.pending_amount), str(first.in_transit_amount)) == ("1500.50", "1500.50", "0.00")
    assert (first.status, first.version, str(first.fiscal_folio), first.customer_id) == (
        "open", 1, folio, customer["customer_id"])

    messages = outbox_messages("billing.invoice.issued.v1", customer_id=str(customer["customer_id"]))
    assert sorted(m["data"]["invoice_number"] for m in messages) == sorted(r["invoice_number"] for r in rows)
    usd = next(m for m in messages if m["data"]["currency"] == "USD")
    assert usd["data"]["amount"] == "99.99" and usd["data"]["pending_amount"] == "99.99"
    assert usd["data"]["account_number"] == account
    assert usd["data"]["invoice_id"] == str(stored[rows[1]["invoice_number"]].id)


def test_resending_the_same_rows_changes_nothing(client, operator, customer, row, outbox_messages):
    rows = [row(customer["account_numbers"][0]) for _ in range(3)]
    assert client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator).json == {
        "imported": 3, "unchanged": 0}
    before = outbox_messages("billing.invoice.issued.v1", customer_id=str(customer["customer_id"]))

    extra = row(customer["account_numbers"][1])
    again = client.post("/api/v1/invoices/import", json={"invoices": [*rows, extra]}, headers=operator)

    assert again.status_code == 200
    assert again.json == {"imported": 1, "unchanged": 3}
    after = outbox_messages("billing.invoice.issued.v1", customer_id=str(customer["customer_id"]))
    assert [m["data"]["invoice_number"] for m in after] == [
        *[m["data"]["invoice_number"] for m in before], extra["invoice_number"]]


def test_a_changed_amount_is_refused_naming_the_row(client, operator, customer, row, session_factory):
    original = row(customer["account_numbers"][0], amount="100.00")
    client.post("/api/v1/invoices/import", json={"invoices": [original]}, headers=operator)
    fresh = row(customer["account_numbers"][0])

    response = client.post(
        "/api/v1/invoices/import", json={"invoices": [fresh, {**original, "amount": "100.01"}]}, headers=operator)

    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "billing.invoice_figures_differ"
    assert {path.split(".")[1] for path in response.json["errors"]} == {"1"}
    assert "invoices.1.amount" in response.json["errors"]
    assert count_invoices(session_factory, [fresh["invoice_number"]]) == 0


def test_a_changed_account_or_currency_is_refused(client, operator, customer, row):
    original = row(customer["account_numbers"][0])
    client.post("/api/v1/invoices/import", json={"invoices": [original]}, headers=operator)
    changed = {**original, "account_number": customer["account_numbers"][1], "currency": "USD"}

    response = client.post("/api/v1/invoices/import", json={"invoices": [changed]}, headers=operator)

    assert response.status_code == 409
    assert response.json["code"] == "billing.invoice_figures_differ"
    assert set(response.json["errors"]) == {"invoices.0.account_number", "invoices.0.currency"}


def test_a_malformed_row_is_named_and_nothing_is_imported(client, operator, customer, row, session_factory, outbox_messages):
    account = customer["account_numbers"][0]
    rows = [row(account), row(account), row(account, amount="12.345"), row(account, issue_date="2026-13-01")]
    del rows[1]["currency"]

    response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.json["errors"]
    assert {path.split(".")[1] for path in errors} == {"1", "2", "3"}
    assert "invoices.1.currency" in errors
    assert "invoices.2.amount" in errors
    assert "invoices.3.issue_date" in errors
    assert count_invoices(session_factory, [r["invoice_number"] for r in rows]) == 0
    assert outbox_messages("billing.invoice.issued.v1", customer_id=str(customer["customer_id"])) == []


def test_unknown_account_and_repeated_number_are_named(client, operator, customer, row, session_factory):
    good = row(customer["account_numbers"][0])
    rows = [good, row("no-such-account"), {**good}]

    response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)

    assert response.status_code == 422
    assert response.json["code"] == "billing.invoice_rows_refused"
    errors = response.json["errors"]
    assert "invoices.1.account_number" in errors
    assert "invoices.2.invoice_number" in errors
    assert count_invoices(session_factory, [good["invoice_number"]]) == 0


def test_an_import_overtaken_by_another_with_the_same_number_writes_nothing(context, customer, row, session_factory):
    """Another import commits the same number between this one's check and its insert."""
    account = customer["account_numbers"][0]
    (racing,) = InvoiceImportIn().load({"invoices": [row(account)]})["invoices"]
    mine, shared = InvoiceImportIn().load({"invoices": [row(account), row(account)]})["invoices"]
    shared["invoice_number"] = racing["invoice_number"]

    def meanwhile():
        # The moment this import stamps its rows: the other one has just committed.
        import_invoices(context, [racing])
        return context.clock()

    with pytest.raises(UseCaseError) as refused:
        import_invoices(replace(context, clock=meanwhile), [mine, shared])

    assert (refused.value.status, refused.value.code) == (409, "billing.concurrent_import")
    assert count_invoices(session_factory, [mine["invoice_number"]]) == 0
    assert count_invoices(session_factory, [racing["invoice_number"]]) == 1


def test_due_before_issue_negative_amount_and_unknown_field_are_named(client, operator, customer, row):
    account = customer["account_numbers"][0]
    rows = [
        row(account, issue_date="2026-10-10", due_date="2026-10-01"),
        row(account, amount="-5"),
        row(account, currency="EUR"),
        {**row(account), "colour": "blue"},
    ]
    response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"invoices.0.due_date", "invoices.1.amount", "invoices.2.currency", "invoices.3.colour"} <= set(errors)


def test_two_megabytes_is_413(client, operator):
    body = json.dumps({"invoices": [{"invoice_number": "x" * 2_000_000}]})
    response = client.post("/api/v1/invoices/import", data=body, content_type="application/json", headers=operator)
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"
    assert "body" in response.json["errors"]


def test_only_operators_import(client, bearer, customer, row):
    rows = [row(customer["account_numbers"][0])]
    for headers in (bearer("admin", customer_id=customer["customer_id"]), bearer("agent")):
        assert client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=headers).status_code == 403
    assert client.post("/api/v1/invoices/import", json={"invoices": rows}).status_code == 401


def test_the_contract_maximum_of_5000_rows_with_folios_in_one_call(scratch, operator, registration, row, statements_of):
    client, session_factory, register = scratch
    customer = register(registration())
    account = customer["account_numbers"][0]
    rows = [
        {**row(account, amount=f"{100 + i}.{i % 100:02d}", fiscal_folio=str(uuid.uuid4())),
         "invoice_number": f"B{uuid.uuid4().hex[:10]}"}
        for i in range(5000)
    ]
    body = {"invoices": rows}
    # Above the 1 MiB limit of other requests: the import endpoint admits it.
    assert len(json.dumps(body)) > 1024 * 1024

    with statements_of(session_factory) as log:
        response = client.post("/api/v1/invoices/import", json=body, headers=operator)

    assert response.status_code == 200, response.json
    assert response.json == {"imported": 5000, "unchanged": 0}
    # Bulk statements, not a round trip per row.
    assert len(log.statements) <= 50, len(log.statements)
    assert count_invoices(session_factory, [r["invoice_number"] for r in rows]) == 5000
    with transaction(session_factory) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OUTBOX).where(
            OUTBOX.c.topic == "billing.invoice.issued.v1")) == 5000
    again = client.post("/api/v1/invoices/import", json=body, headers=operator)
    assert again.json == {"imported": 0, "unchanged": 5000}


def test_more_than_5000_rows_is_named(client, operator, customer, row):
    rows = [row(customer["account_numbers"][0]) for _ in range(5001)]
    response = client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=operator)
    assert response.status_code == 422
    assert "invoices" in response.json["errors"]
