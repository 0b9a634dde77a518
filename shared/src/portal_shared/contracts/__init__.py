"""Event contracts: the envelope and one marshmallow schema per event type and version.

Consumers ignore fields they do not know; a breaking change is a new major version,
published side by side with the old one until every consumer has moved.
"""
from portal_shared.contracts.envelope import (
    EnvelopeSchema,
    Event,
    InvalidEvent,
    new_event,
    parse_event,
    routing_key,
)
from portal_shared.contracts.registry import SCHEMAS, schema_for

__all__ = [
    "EnvelopeSchema",
    "Event",
    "InvalidEvent",
    "SCHEMAS",
    "new_event",
    "parse_event",
    "routing_key",
    "schema_for",
]
