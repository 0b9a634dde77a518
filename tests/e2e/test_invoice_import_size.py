"""The contract's largest invoice import (5,000 rows with fiscal folios, about 1.1 MB of JSON)
passes the gateway: the gateway and billing read their body limit from one table."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from portal_shared.web.body_limit import DEFAULT_BODY_LIMIT

from stack import Api, wait_until


# 5,000 billing.invoice.issued events take payment's consumer minutes to apply: after every other
# test, none of them waits behind that backlog for its own invoices.
@pytest.mark.runs_last("leaves payment's consumer 5,000 events to apply")
def test_five_thousand_invoices_are_imported_through_the_gateway(operator: Api, register_customer):
    customer = register_customer()
    account = customer["account_numbers"][0]
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    rows = [
        {"invoice_number": f"G{uuid.uuid4().hex[:12].upper()}", "account_number": account,
         "issue_date": (today - timedelta(days=5)).isoformat(), "due_date": (today + timedelta(days=25)).isoformat(),
         "currency": "MXN", "amount": f"{100 + i}.{i % 100:02d}", "fiscal_folio": str(uuid.uuid4()).upper()}
        for i in range(5000)
    ]
    body = {"invoices": rows}
    assert len(json.dumps(body)) > DEFAULT_BODY_LIMIT, "the import must be larger than other requests may be"

    def imported() -> bool:
        # Billing learns the new account from identity's event; until then the import is refused.
        response = operator.post("/api/v1/invoices/import", body)
        assert response.status_code != 413, "the gateway refused the import's size"
        return response.status_code == 200

    wait_until(imported, timeout=60, interval=1, what="the 5,000-invoice import once billing knows the account")
    again = operator.post("/api/v1/invoices/import", body)
    assert again.status_code == 200, again.text
    assert again.json() == {"imported": 0, "unchanged": 5000}
