"""Every published event type and version, mapped to its schema."""
from __future__ import annotations

import functools

from marshmallow import Schema

from portal_shared.contracts import billing, identity, payment, servicedesk

SCHEMAS: dict[tuple[str, int], type[Schema]] = {
    ("identity.customer.registered", 1): identity.CustomerRegisteredV1,
    ("identity.user.created", 1): identity.UserCreatedV1,
    ("identity.user.roles_changed", 1): identity.UserRolesChangedV1,
    ("identity.access.revoked", 1): identity.AccessRevokedV1,
    ("billing.account.opened", 1): billing.AccountOpenedV1,
    ("billing.invoice.issued", 1): billing.InvoiceIssuedV1,
    ("billing.invoice.balance_changed", 1): billing.InvoiceBalanceChangedV1,
    ("billing.statement.published", 1): billing.StatementPublishedV1,
    ("billing.exchange_rate.set", 1): billing.ExchangeRateSetV1,
    ("payment.initiated", 1): payment.PaymentInitiatedV1,
    ("payment.confirmed", 1): payment.PaymentConfirmedV1,
    ("payment.failed", 1): payment.PaymentFailedV1,
    ("servicedesk.meter_reading.accepted", 1): servicedesk.MeterReadingAcceptedV1,
    ("servicedesk.meter_reading.accepted", 2): servicedesk.MeterReadingAcceptedV2,
    ("servicedesk.incident.opened", 2): servicedesk.IncidentOpenedV2,
    ("servicedesk.incident.status_changed", 1): servicedesk.IncidentStatusChangedV1,
}


@functools.cache
def schema_for(event_type: str, version: int) -> Schema:
    """One schema instance per type and version: building one costs more than using it."""
    try:
        return SCHEMAS[(event_type, version)]()
    except KeyError:
        raise KeyError(f"no schema is published for {event_type} v{version}") from None
