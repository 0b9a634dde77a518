"""Events published by servicedesk-service."""
from marshmallow import fields, validate

from portal_shared.contracts.base import EventData


class MeterReadingAcceptedV1(EventData):
    reading_id = fields.UUID(required=True)
    device_id = fields.UUID(required=True)
    serial_number = fields.String(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True)
    counter = fields.String(required=True)
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    # The previous accepted value of the same series; None for a series' first reading.
    previous_value = fields.Integer(load_default=None, allow_none=True, strict=True)
    # A replaced counter starts a new series: usage is never computed across two series.
    series = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    read_on = fields.Date(required=True)
    recorded_at = fields.AwareDateTime(required=True)


class CounterValue(EventData):
    """One counter of a device's reading."""

    counter = fields.String(required=True)
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    # The previous accepted value of the same series; None for a series' first reading.
    previous_value = fields.Integer(load_default=None, allow_none=True, strict=True)
    # A replaced counter starts a new series: usage is never computed across two series.
    series = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class MeterReadingAcceptedV2(EventData):
    """A device's reading of one day, holding every counter of the device (v1 carried one counter)."""

    reading_id = fields.UUID(required=True)
    device_id = fields.UUID(required=True)
    serial_number = fields.String(required=True)
    customer_id = fields.UUID(required=True)
    account_number = fields.String(required=True)
    read_on = fields.Date(required=True)
    recorded_at = fields.AwareDateTime(required=True)
    counters = fields.List(fields.Nested(CounterValue), required=True, validate=validate.Length(min=1))


class IncidentConcerned(EventData):
    """What every incident event says: which incident, whose device, and the people it concerns."""

    incident_id = fields.UUID(required=True)
    # The number people quote, e.g. INC-2026-000123: counted per year in the vendor's time zone.
    number = fields.String(required=True, validate=validate.Regexp(r"^INC-\d{4}-\d{6,}$"))
    customer_id = fields.UUID(required=True)
    device_id = fields.UUID(required=True)
    serial_number = fields.String(required=True)
    # The person who opened it (a customer's user or an agent); None when no person did.
    opened_by = fields.UUID(required=True, allow_none=True)
    # The users the device is assigned to as its admins when the event was published.
    device_admin_ids = fields.List(fields.UUID(), required=True)


class IncidentOpenedV2(IncidentConcerned):
    """An incident was opened: its number, what it is about, and whom it concerns (v1 had neither)."""

    model = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True)
    response_due_at = fields.AwareDateTime(required=True)


class IncidentStatusChangedV1(IncidentConcerned):
    """An incident moved from one status to another, by the customer's side or the vendor's."""

    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    side = fields.String(required=True, validate=validate.OneOf(("customer", "vendor")))
    changed_at = fields.AwareDateTime(required=True)
    changed_by = fields.UUID(required=True, allow_none=True)
