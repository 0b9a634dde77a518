"""The agent's overview of one customer: identity's, billing's and payment's parts asked at once,
next to servicedesk's own devices and incidents.

A part whose service is down, too slow or failing is left out and named in `unavailable`; the
rest still shows, since an agent on the phone with the customer needs what can be had now.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from portal_shared.db import transaction
from servicedesk_service.adapters.orm import Customer, Device
from servicedesk_service.adapters.peers import Credentials, PeerNotFound, PeerUnavailable, PortalServices
from servicedesk_service.domain import audit as audit_rules
from servicedesk_service.domain.audit import Actor
from servicedesk_service.domain.devices import STAFF_SCOPE
from servicedesk_service.service_layer import audit, devices, incidents
from servicedesk_service.service_layer.context import ServicedeskContext
from servicedesk_service.service_layer.errors import CUSTOMER_NOT_FOUND, PEER_UNAVAILABLE
from servicedesk_service.service_layer.incidents import SeenIncident


@dataclass
class Overview:
    customer: dict[str, Any]
    users: list[dict[str, Any]] | None
    accounts: list[dict[str, Any]] | None
    credit_status: dict[str, Any] | None
    payments: list[dict[str, Any]] | None
    devices: list[Device]
    incidents: list[SeenIncident]
    unavailable: list[dict[str, str]] = field(default_factory=list)


def _remote_reads(services: PortalServices) -> dict[str, tuple[Any, Callable[[str, Credentials], Any]]]:
    """part -> (the service that owns it, how to read it)."""
    return {
        "customer": (services.identity, services.customer),
        "users": (services.identity, services.users),
        "accounts": (services.billing, services.accounts),
        "credit_status": (services.billing, services.credit_status),
        "payments": (services.payment, services.payments),
    }


def _gather(services: PortalServices, executor: Executor, customer_id: uuid.UUID, credentials: Credentials,
            timeout: float) -> tuple[dict[str, Any], dict[str, Exception]]:
    """Every remote part asked concurrently, waited for at most `timeout` in all."""
    reads = _remote_reads(services)
    pending: dict[str, Future] = {part: executor.submit(read, str(customer_id), credentials)
                                  for part, (_peer, read) in reads.items()}
    wait(pending.values(), timeout=timeout)
    found: dict[str, Any] = {}
    failed: dict[str, Exception] = {}
    for part, future in pending.items():
        if not future.done():
            # Left to finish on its own (its socket timeout ends it); the page does not wait.
            future.cancel()
            failed[part] = PeerUnavailable(reads[part][0], f"no answer within {timeout:g} s")
            continue
        error = future.exception()
        if error is None:
            found[part] = future.result()
        elif isinstance(error, (PeerUnavailable, PeerNotFound)):
            failed[part] = error
        else:
            raise error
    return found, failed


def _known_customer(session: Session, customer_id: uuid.UUID) -> dict[str, Any] | None:
    """servicedesk's own copy of the customer (from identity's event), for when identity is down."""
    copy = session.get(Customer, customer_id)
    if copy is None:
        return None
    return {"id": str(copy.id), "rfc": copy.rfc, "name": copy.name,
            "system_account_number": copy.system_account_number, "account_numbers": []}


def _newest_first(payments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(payments, key=lambda payment: str(payment.get("paid_at") or ""), reverse=True)


def customer_overview(
    context: ServicedeskContext, customer_id: uuid.UUID, *, credentials: Credentials, actor: Actor,
) -> Overview:
    # Asked before the transaction opens: no database connection is held while the services answer.
    found, failed = _gather(context.peers, context.peer_calls, customer_id, credentials,
                            context.peer_timeout_seconds)
    customer_failure = failed.get("customer")
    if isinstance(customer_failure, PeerNotFound):
        raise CUSTOMER_NOT_FOUND(f"No customer {customer_id}.")
    now = context.clock()
    with transaction(context.session_factory) as session:
        customer = found.get("customer")
        if customer is None:
            customer = _known_customer(session, customer_id)
            if customer is None:
                raise PEER_UNAVAILABLE(f"identity-service could not be asked about customer {customer_id}: "
                                       f"{customer_failure.detail if customer_failure else 'no answer'}.")
            if found.get("accounts") is not None:
                customer["account_numbers"] = [account.get("account_number") for account in found["accounts"]]
        unavailable = [{"service": error.peer.name, "part": part, "detail": error.detail}
                       for part, error in failed.items()]
        overview = Overview(
            customer=customer,
            users=found.get("users"),
            accounts=found.get("accounts"),
            credit_status=found.get("credit_status"),
            payments=_newest_first(found["payments"]) if "payments" in found else None,
            devices=devices.devices_in_reach(session, STAFF_SCOPE, customer_id=customer_id),
            incidents=[incidents.seen(context, incident, now)
                       for incident in incidents.incidents_in_reach(session, STAFF_SCOPE, customer_id=customer_id)],
            unavailable=unavailable,
        )
        audit.record(session, actor, audit_rules.OVERVIEW_VIEWED, customer_id=customer_id,
                     subject_type=audit_rules.CUSTOMER, subject_id=customer_id, at=now,
                     detail={"unavailable": sorted({entry["service"] for entry in unavailable})})
        return overview
