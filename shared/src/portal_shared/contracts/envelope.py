"""The envelope every event travels in, and its (de)serialisation."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from portal_shared.contracts.registry import schema_for
from portal_shared.correlation import get_correlation_id


class InvalidEvent(Exception):
    """A message that can never be handled: not an envelope, or data its schema refuses."""


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+(\.[a-z_]+){1,2}$"))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    producer = fields.String(required=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


# Built once: a schema costs more to build than to use, and every consumed message needs it.
_ENVELOPE = EnvelopeSchema()


@dataclass(frozen=True)
class Event:
    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    producer: str
    data: dict[str, Any]
    correlation_id: str | None = None
    raw_data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def routing_key(self) -> str:
        return routing_key(self.type, self.version)

    def to_message(self) -> dict[str, Any]:
        """The JSON-ready envelope, data serialised by its schema."""
        schema = schema_for(self.type, self.version)
        return {
            "id": str(self.id),
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.astimezone(timezone.utc).isoformat(),
            "producer": self.producer,
            "correlation_id": self.correlation_id,
            "data": schema.dump(self.data),
        }


def routing_key(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def new_event(
    event_type: str,
    version: int,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
    occurred_at: datetime | None = None,
) -> Event:
    """Build an event, refusing data that does not match its published schema."""
    schema = schema_for(event_type, version)
    errors = schema.validate(schema.dump(data))
    if errors:
        raise InvalidEvent(f"{event_type} v{version} data does not match its schema: {errors}")
    return Event(
        id=uuid.uuid4(),
        type=event_type,
        version=version,
        occurred_at=occurred_at or datetime.now(timezone.utc),
        producer=producer,
        # The request's or message's id when the caller names none: every event can be followed.
        correlation_id=correlation_id or get_correlation_id(),
        data=data,
    )


def parse_event(message: dict[str, Any]) -> Event:
    """Read an envelope from the wire; its data is loaded by the schema of its type and version."""
    try:
        envelope = _ENVELOPE.load(message)
    except ValidationError as exc:
        raise InvalidEvent(f"not an event envelope: {exc.messages}") from exc
    try:
        schema = schema_for(envelope["type"], envelope["version"])
    except KeyError as exc:
        raise InvalidEvent(str(exc)) from exc
    try:
        data = schema.load(envelope["data"])
    except ValidationError as exc:
        raise InvalidEvent(
            f"{envelope['type']} v{envelope['version']} data refused: {exc.messages}"
        ) from exc
    return Event(
        id=envelope["id"],
        type=envelope["type"],
        version=envelope["version"],
        occurred_at=envelope["occurred_at"],
        producer=envelope["producer"],
        correlation_id=envelope["correlation_id"],
        data=data,
        raw_data=envelope["data"],
    )
