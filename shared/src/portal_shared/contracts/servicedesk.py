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


class IncidentOpenedV1(EventData):
    incident_id = fields.UUID(required=True)
    customer_id = fields.UUID(required=True)
    device_id = fields.UUID(required=True)
    category = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True)
    response_due_at = fields.AwareDateTime(required=True)
