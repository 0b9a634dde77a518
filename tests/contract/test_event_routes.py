"""Every event the portal publishes reaches somebody: each (type, version) in the shared registry has
at least one consumer, and every consumer subscribes only to what somebody publishes. An event
nobody binds a queue to is retried by the relay as unroutable and finally dropped, so a type
without a consumer is a feature that silently does nothing.

The table of routes is printed (pytest -s or -rP shows it), so a reader sees who listens to what.
"""
from __future__ import annotations

import importlib

from portal_shared.contracts import SCHEMAS
from portal_gateway import revocations

SUBSCRIBERS = {
    "identity-service": "identity_service",
    "billing-service": "billing_service",
    "payment-service": "payment_service",
    "servicedesk-service": "servicedesk_service",
}


def subscriptions() -> dict[str, set[tuple[str, int]]]:
    """What each consumer process binds its queue to: each service's HANDLERS, and the gateway's
    revocations consumer."""
    found = {name: set(importlib.import_module(f"{package}.service_layer.subscriptions").HANDLERS)
             for name, package in SUBSCRIBERS.items()}
    found["gateway-revocations"] = {revocations.EVENT}
    return found


def routes() -> dict[tuple[str, int], list[str]]:
    consumers = subscriptions()
    return {key: sorted(name for name, keys in consumers.items() if key in keys) for key in sorted(SCHEMAS)}


def test_every_published_event_has_a_consumer():
    table = routes()
    print("\n" + "\n".join(f"{kind} v{version}: {', '.join(names) or '(nobody)'}"
                            for (kind, version), names in table.items()))
    unrouted = [f"{kind} v{version}" for (kind, version), names in table.items() if not names]
    assert unrouted == [], f"published but consumed by nobody: {unrouted}"


def test_every_consumed_event_is_published():
    orphans = sorted(f"{name} consumes {kind} v{version}, which nobody publishes"
                     for name, keys in subscriptions().items() for kind, version in keys
                     if (kind, version) not in SCHEMAS)
    assert orphans == []


def test_the_notifications_go_where_people_are_told():
    """The three announcements that end in a mail: identity, which holds every address, consumes them."""
    table = routes()
    for key in (("billing.statement.published", 1), ("servicedesk.incident.opened", 2),
                ("servicedesk.incident.status_changed", 1)):
        assert "identity-service" in table[key], table[key]
