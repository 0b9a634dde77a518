"""GET /api/v1/balances, /invoices and /invoices/{id}: scoped, paginated, USD with the rate of the day."""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from portal_shared.mexico import mexico_today

RATE = "17.2345"


@pytest.fixture
def todays_rate(client, operator) -> Decimal:
    today = mexico_today().isoformat()
    assert client.post("/api/v1/exchange-rates", json={"rates": [{"date": today, "rate": RATE}]},
                       headers=operator).status_code == 200
    return Decimal(RATE)


def mxn(amount: str, rate: Decimal) -> str:
    return str((Decimal(amount) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_usd_invoice_shows_usd_amount_rate_and_mxn_equivalent(client, bearer, customer, row, import_invoices, todays_rate):
    account = customer["account_numbers"][0]
    usd, peso = import_invoices(
        [row(account, currency="USD", amount="100.05"), row(account, amount="2500.00")], customer["customer_id"])

    response = client.get("/api/v1/balances", headers=bearer("billing", customer_id=customer["customer_id"]))

    assert response.status_code == 200
    items = {item["invoice_number"]: item for item in response.json["items"]}
    shown = items[usd["invoice_number"]]
    assert (shown["currency"], shown["amount"], shown["pending_amount"]) == ("USD", "100.05", "100.05")
    assert shown["exchange_rate"] == RATE
    assert shown["amount_mxn"] == mxn("100.05", todays_rate) == "1724.31"
    assert shown["pending_mxn"] == "1724.31"
    assert items[peso["invoice_number"]]["exchange_rate"] is None
    assert items[peso["invoice_number"]]["amount_mxn"] == "2500.00"
    assert response.json["rate"] == {"date": mexico_today().isoformat(), "rate": RATE}
    assert response.json["totals"] == {
        "MXN": {"pending": "2500.00", "in_transit": "0.00"},
        "USD": {"pending": "100.05", "in_transit": "0.00", "pending_mxn": "1724.31"},
        "overall_pending_mxn": "4224.31",
    }


def test_totals_cover_every_page_and_round_each_invoice(client, bearer, customer, row, import_invoices, todays_rate):
    account = customer["account_numbers"][0]
    amounts = ["0.03", "0.03", "0.03", "10.10", "999.99"]
    import_invoices([row(account, currency="USD", amount=a) for a in amounts]
                    + [row(account, amount="1.10"), row(account, amount="2.20")], customer["customer_id"])

    page = client.get("/api/v1/balances?page_size=2", headers=bearer("admin", customer_id=customer["customer_id"])).json

    assert len(page["items"]) == 2 and page["total"] == 7
    per_item = sum(Decimal(mxn(a, todays_rate)) for a in amounts)
    assert page["totals"]["USD"]["pending"] == "1010.18"
    assert page["totals"]["USD"]["pending_mxn"] == str(per_item)
    assert page["totals"]["MXN"]["pending"] == "3.30"
    assert page["totals"]["overall_pending_mxn"] == str(per_item + Decimal("3.30"))


def test_pagination_walks_every_open_invoice_once_by_due_date(client, bearer, customer, row, import_invoices):
    account = customer["account_numbers"][0]
    today = mexico_today()
    rows = [row(account, due_date=(today + timedelta(days=d)).isoformat()) for d in (5, 1, 3, 2, 4)]
    import_invoices(rows, customer["customer_id"])
    headers = bearer("billing", customer_id=customer["customer_id"])

    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/balances?page={page}&page_size=2", headers=headers).json
        assert (body["page"], body["page_size"], body["total"]) == (page, 2, 5)
        seen += [item["due_date"] for item in body["items"]]
    assert seen == sorted(r["due_date"] for r in rows)
    assert client.get("/api/v1/balances?page=4&page_size=2", headers=headers).json["items"] == []


def test_overdue_is_marked(client, bearer, customer, row, import_invoices):
    account = customer["account_numbers"][0]
    today = mexico_today()
    late = row(account, issue_date=(today - timedelta(days=40)).isoformat(), due_date=(today - timedelta(days=1)).isoformat())
    due_today = row(account, due_date=today.isoformat())
    import_invoices([late, due_today], customer["customer_id"])

    items = client.get("/api/v1/balances", headers=bearer("billing", customer_id=customer["customer_id"])).json["items"]

    overdue = {item["invoice_number"]: item["overdue"] for item in items}
    assert overdue == {late["invoice_number"]: True, due_today["invoice_number"]: False}


def test_account_filter(client, bearer, customer, row, import_invoices):
    first, second = customer["account_numbers"]
    a, b = import_invoices([row(first, amount="10.00"), row(second, amount="20.00")], customer["customer_id"])
    headers = bearer("billing", customer_id=customer["customer_id"])

    body = client.get(f"/api/v1/balances?account={second}", headers=headers).json

    assert [item["invoice_number"] for item in body["items"]] == [b["invoice_number"]]
    assert body["totals"]["MXN"]["pending"] == "20.00"
    listed = client.get(f"/api/v1/invoices?account={first}", headers=headers).json
    assert [item["invoice_number"] for item in listed["items"]] == [a["invoice_number"]]


def test_another_customers_account_or_invoice_is_404(client, bearer, new_customer, row, import_invoices):
    mine, theirs = new_customer(), new_customer()
    (their_invoice,) = import_invoices([row(theirs["account_numbers"][0])], theirs["customer_id"])
    headers = bearer("admin", customer_id=mine["customer_id"])

    theirs_read = client.get(f"/api/v1/invoices/{their_invoice['id']}", headers=headers)
    assert theirs_read.status_code == 404
    assert theirs_read.json["code"] == "billing.invoice_not_found"
    response = client.get(f"/api/v1/balances?account={theirs['account_numbers'][0]}", headers=headers)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "billing.account_not_found"
    assert set(response.json["errors"]) == {"account"}
    assert client.get("/api/v1/balances", headers=headers).json["total"] == 0
    assert client.get(f"/api/v1/invoices/{uuid.uuid4()}", headers=headers).status_code == 404


def test_agent_reads_a_named_customer(client, bearer, customer, row, import_invoices):
    (invoice,) = import_invoices([row(customer["account_numbers"][0])], customer["customer_id"])
    agent = bearer("agent")

    assert client.get("/api/v1/balances", headers=agent).status_code == 422
    body = client.get(f"/api/v1/balances?customer_id={customer['customer_id']}", headers=agent).json
    assert [item["id"] for item in body["items"]] == [invoice["id"]]
    detail = client.get(f"/api/v1/invoices/{invoice['id']}?customer_id={customer['customer_id']}", headers=agent)
    assert detail.status_code == 200 and detail.json["invoice_number"] == invoice["invoice_number"]
    unknown = client.get(f"/api/v1/balances?customer_id={uuid.uuid4()}", headers=agent)
    assert unknown.status_code == 404
    assert unknown.json["code"] == "billing.customer_unknown"


def test_invoice_list_filters_by_status(client, bearer, customer, row, import_invoices):
    (invoice,) = import_invoices([row(customer["account_numbers"][0])], customer["customer_id"])
    headers = bearer("billing", customer_id=customer["customer_id"])
    assert [i["id"] for i in client.get("/api/v1/invoices?status=open", headers=headers).json["items"]] == [invoice["id"]]
    assert client.get("/api/v1/invoices?status=paid", headers=headers).json["items"] == []
    detail = client.get(f"/api/v1/invoices/{invoice['id']}", headers=headers).json
    assert set(detail) == {"id", "invoice_number", "account_number", "issue_date", "due_date", "currency", "amount",
                           "pending_amount", "in_transit_amount", "status", "fiscal_folio", "has_cfdi", "overdue"}
    assert detail["has_cfdi"] is False


def test_balances_of_5000_open_invoices_are_paged_and_totalled_by_the_database(scratch, bearer, registration, row,
                                                                                   statements_of):
    """Paging and totals by SQL over a customer's 5000 open invoices: no statement brings back more
    than a page, however many invoices there are (speed itself is measured in bench/)."""
    client, session_factory, register = scratch
    customer = register(registration())
    today = mexico_today().isoformat()
    client.post("/api/v1/exchange-rates", json={"rates": [{"date": today, "rate": RATE}]}, headers=bearer("operator"))
    todays_rate = Decimal(RATE)
    account = customer["account_numbers"][0]
    rows = [row(account, currency="USD" if i % 3 == 0 else "MXN", amount=f"{i + 1}.25") for i in range(5000)]
    assert client.post("/api/v1/invoices/import", json={"invoices": rows}, headers=bearer("operator")).status_code == 200
    headers = bearer("billing", customer_id=customer["customer_id"])

    with statements_of(session_factory) as log:
        body = client.get("/api/v1/balances?page=30&page_size=100", headers=headers).json

    assert body["total"] == 5000 and len(body["items"]) == 100
    usd = [Decimal(r["amount"]) for r in rows if r["currency"] == "USD"]
    assert body["totals"]["USD"]["pending"] == str(sum(usd))
    assert body["totals"]["USD"]["pending_mxn"] == str(sum(Decimal(mxn(str(a), todays_rate)) for a in usd))
    assert log.most_rows() <= 100, sorted(log.statements, key=lambda s: -s[1])[:3]
    assert len(log.statements) <= 10, [s for s, _ in log.statements]
