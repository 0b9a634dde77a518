"""/healthz answers while the process lives; /readyz only while database and broker are reachable."""
from portal_shared.testing.checks import HealthChecks


class TestHealth(HealthChecks):
    """portal_shared's checks of health, readiness, OpenAPI and error bodies, on billing-service."""


def test_openapi_lists_the_billing_endpoints(client):
    assert set(client.get("/openapi.json").json["paths"]) == {
        "/api/v1/accounts",
        "/api/v1/invoices/import",
        "/api/v1/invoices",
        "/api/v1/invoices/{invoice_id}",
        "/api/v1/invoices/{invoice_id}/cfdi.xml",
        "/api/v1/invoices/{invoice_id}/cfdi.pdf",
        "/api/v1/balances",
        "/api/v1/exchange-rates",
        "/api/v1/exchange-rates/current",
        "/api/v1/exchange-rates/banxico",
        "/api/v1/statements",
        "/api/v1/statements/{statement_id}/pdf",
        "/api/v1/credit-status",
        "/api/v1/payment-receipts",
        "/api/v1/payment-receipts/{payment_id}",
        "/api/v1/payment-receipts/{payment_id}.xml",
        "/api/v1/payment-receipts/{payment_id}.pdf",
        "/api/v1/invoices/cfdi.zip",
    }
