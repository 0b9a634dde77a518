"""Statements of account: generated per account and month, stable ids, deterministic PDFs, CLI."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from billing_service.adapters.orm import Statement
from billing_service.adapters.pdf import format_money
from billing_service.domain.calendar import Period
from billing_service.service_layer.statements import generate_statements, state_period
from portal_shared.db import transaction
from portal_shared.errors import UseCaseError
from portal_shared.mexico import MEXICO_CITY


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=MEXICO_CITY).astimezone(timezone.utc)


@pytest.fixture
def stated_month(client, operator, customer, row, import_invoices, deliver, payment, last_month):
    """One account with an invoice before the month, two in it and two payments in it."""
    account = customer["account_numbers"][0]
    before = last_month.first_day - timedelta(days=5)
    old, new_mxn, new_usd = import_invoices([
        row(account, amount="1000.00", issue_date=before.isoformat(), due_date=last_month.first_day.isoformat()),
        row(account, amount="250.50", issue_date=(last_month.first_day + timedelta(days=3)).isoformat(),
            due_date=(last_month.first_day + timedelta(days=33)).isoformat()),
        row(account, currency="USD", amount="80.00", issue_date=(last_month.first_day + timedelta(days=4)).isoformat(),
            due_date=(last_month.first_day + timedelta(days=34)).isoformat()),
    ], customer["customer_id"])
    paid_on = last_month.first_day + timedelta(days=10)
    first, second = uuid.uuid4(), uuid.uuid4()
    deliver(payment("confirmed", payment_id=first, customer_id=customer["customer_id"], at=noon(paid_on),
                    bank_reference="BC-Banamex 063197",
                    items=[{"invoice_id": old["id"], "currency": "MXN", "amount": "400.00"}]))
    deliver(payment("confirmed", payment_id=second, customer_id=customer["customer_id"], at=noon(paid_on),
                    bank_reference="BBVA-MP 555111",
                    items=[{"invoice_id": new_usd["id"], "currency": "USD", "amount": "30.00", "rate": "17.5000"}]))
    # After the month: in the next statement, not this one.
    deliver(payment("confirmed", payment_id=uuid.uuid4(), customer_id=customer["customer_id"],
                    at=noon(last_month.end), bank_reference="BC-Banamex 999999",
                    items=[{"invoice_id": new_mxn["id"], "currency": "MXN", "amount": "50.50"}]))
    return {"account": account, "invoices": [old, new_mxn, new_usd], "period": str(last_month)}


def generate(client, operator, period: str):
    response = client.post("/api/v1/statements", json={"period": period}, headers=operator)
    assert response.status_code == 200, response.json
    return response.json


def find_statement(client, headers, account: str, period: str) -> dict:
    items = client.get(f"/api/v1/statements?account={account}", headers=headers).json["items"]
    (found,) = [s for s in items if s["period"] == period]
    return found


def test_statement_figures_and_pdf_content(client, operator, bearer, customer, stated_month, outbox_messages):
    generated = generate(client, operator, stated_month["period"])
    headers = bearer("billing", customer_id=customer["customer_id"])

    statement = find_statement(client, headers, stated_month["account"], stated_month["period"])

    assert statement["id"] in generated["generated"]
    period = Period.parse(stated_month["period"])
    assert statement["id"].startswith(f"{period.year % 100:02d}{period.month:02d}")
    assert statement["opening_balance"] == {"MXN": "1000.00", "USD": "0.00"}
    assert statement["invoiced"] == {"MXN": "250.50", "USD": "80.00"}
    assert statement["paid"] == {"MXN": "400.00", "USD": "30.00"}
    assert statement["closing_balance"] == {"MXN": "850.50", "USD": "50.00"}

    response = client.get(statement["pdf_url"], headers=headers)
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    text = pdf_text(response.data)
    for expected in (customer["rfc"], customer["name"], stated_month["account"], customer["system_account_number"],
                     statement["id"], stated_month["period"], "BC-Banamex 063197", "BBVA-MP 555111",
                     format_money(Decimal("850.50")), format_money(Decimal("50.00"))):
        assert expected in text, expected
    old, new_mxn, new_usd = stated_month["invoices"]
    assert new_mxn["invoice_number"] in text and new_usd["invoice_number"] in text
    assert "BC-Banamex 999999" not in text

    (published,) = outbox_messages("billing.statement.published.v1", statement_id=statement["id"])
    assert published["data"]["closing_balance_mxn"] == "850.50"
    assert published["data"]["closing_balance_usd"] == "50.00"
    assert published["data"]["account_number"] == stated_month["account"]


def test_regenerating_keeps_the_statement_and_its_bytes(client, operator, bearer, customer, stated_month, outbox_messages):
    generate(client, operator, stated_month["period"])
    headers = bearer("billing", customer_id=customer["customer_id"])
    statement = find_statement(client, headers, stated_month["account"], stated_month["period"])
    first = client.get(statement["pdf_url"], headers=headers).data

    again = generate(client, operator, stated_month["period"])

    assert statement["id"] not in again["generated"]
    assert find_statement(client, headers, stated_month["account"], stated_month["period"]) == statement
    assert client.get(statement["pdf_url"], headers=headers).data == first
    assert len(outbox_messages("billing.statement.published.v1", statement_id=statement["id"])) == 1


def test_rendering_the_same_statement_twice_gives_the_same_bytes(customer, stated_month, session_factory, context):
    period = Period.parse(stated_month["period"])
    issued = datetime.now(timezone.utc).replace(microsecond=0)
    quiet = replace(context, clock=lambda: issued, publish=lambda s, e: None)
    documents = []
    for _ in range(2):
        # Rolled back each time: the same data rendered twice from scratch, at different moments.
        session = session_factory()
        try:
            state_period(quiet, session, period, customer_id=customer["customer_id"])
            stored = session.scalars(
                sa.select(Statement).where(Statement.customer_id == customer["customer_id"])
            ).all()
            documents.append({s.period: s.pdf for s in stored})
        finally:
            session.rollback()
            session.close()
    assert documents[0] == documents[1] and documents[0]
    # The document's dates are the statement's issue time, not the moment of rendering.
    metadata = PdfReader(io.BytesIO(documents[0][str(period)])).metadata
    stamp = issued.strftime("D:%Y%m%d%H%M%S+00'00'")
    assert (metadata["/CreationDate"], metadata["/ModDate"]) == (stamp, stamp)


def test_a_generation_overtaken_by_another_of_the_same_period_writes_nothing(customer, stated_month, context,
                                                                            session_factory):
    """Another generation commits the period's statements while this one is still rendering its own."""
    period = Period.parse(stated_month["period"])
    overtaken = []

    def render_meanwhile(document):
        if not overtaken:
            with transaction(session_factory) as session:
                overtaken.append(state_period(context, session, period, customer_id=customer["customer_id"]))
        return context.render_pdf(document)

    with pytest.raises(UseCaseError) as refused:
        generate_statements(replace(context, render_pdf=render_meanwhile), period)

    assert (refused.value.status, refused.value.code) == (409, "billing.concurrent_generation")
    (first,) = overtaken[0].generated
    with transaction(session_factory) as session:
        kept = session.scalars(sa.select(Statement.id).where(Statement.customer_id == customer["customer_id"])).all()
    assert kept == [first]


def test_statements_are_listed_newest_first_and_scoped(client, operator, bearer, new_customer, row, import_invoices, last_month):
    customer, stranger = new_customer(), new_customer()
    account = customer["account_numbers"][0]
    earlier = Period.containing(last_month.first_day - timedelta(days=1))
    import_invoices([row(account, issue_date=earlier.first_day.isoformat(), due_date=earlier.end.isoformat())],
                    customer["customer_id"])
    generate(client, operator, str(earlier))
    generate(client, operator, str(last_month))
    headers = bearer("admin", customer_id=customer["customer_id"])

    items = client.get("/api/v1/statements", headers=headers).json["items"]

    assert [s["period"] for s in items] == [str(last_month), str(earlier)]
    assert items[1]["closing_balance"] == items[0]["opening_balance"]
    other = bearer("admin", customer_id=stranger["customer_id"])
    assert client.get("/api/v1/statements", headers=other).json["items"] == []
    elsewhere = client.get(items[0]["pdf_url"], headers=other)
    assert elsewhere.status_code == 404
    assert elsewhere.json["code"] == "billing.statement_not_found"
    agent = client.get(f"{items[0]['pdf_url']}?customer_id={customer['customer_id']}", headers=bearer("agent"))
    assert agent.status_code == 200 and agent.data.startswith(b"%PDF")


def test_a_month_not_yet_ended_or_malformed_is_refused(client, operator):
    from portal_shared.mexico import mexico_today

    current = Period.containing(mexico_today())
    for period in (str(current), "2026-13", "10-2026", ""):
        response = client.post("/api/v1/statements", json={"period": period}, headers=operator)
        assert response.status_code == 422, period
        assert "period" in response.json["errors"]
        assert response.json["code"] == ("billing.period_not_ended" if period == str(current) else "request.invalid")
    assert client.post("/api/v1/statements", json={}, headers=operator).json["errors"].keys() == {"period"}


def test_the_cli_generates_a_period(database_url, new_customer, row, import_invoices, last_month, client, bearer):
    customer = new_customer()
    account = customer["account_numbers"][1]
    import_invoices([row(account, issue_date=last_month.first_day.isoformat(), due_date=last_month.end.isoformat(),
                         amount="77.70")], customer["customer_id"])
    script = Path(sys.executable).parent / "billing-statements"
    env = {**os.environ, "DATABASE_URL": database_url}

    done = subprocess.run([str(script), "--period", str(last_month)], env=env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["period"] == str(last_month)
    statement = find_statement(client, bearer("billing", customer_id=customer["customer_id"]), account, str(last_month))
    assert statement["closing_balance"]["MXN"] == "77.70"
    bad = subprocess.run([str(script), "--period", "2026-13"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
