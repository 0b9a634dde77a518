"""Request and response shapes of the devices API (they also write the OpenAPI document)."""
from marshmallow import Schema, ValidationError, fields, validate

MAX_READING = 10**15  # far above any real counter; keeps values inside BIGINT


def _text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class DeviceIn(Schema):
    serial_number = _text(64, required=True)
    model = _text(200, required=True)
    customer_id = fields.UUID(required=True)
    account_number = _text(32, required=True)
    install_address = _text(500, required=True)
    location = _text(500, metadata={"description": "Where in the building; the install address when omitted."})
    response_hours = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=720),
                                    metadata={"description": "Contract response time in business hours."})
    counters = fields.List(_text(50), required=True, validate=validate.Length(min=1, max=20))


class DevicesQuery(Schema):
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose devices to list."})


class DeviceOut(Schema):
    id = fields.UUID()
    serial_number = fields.String()
    model = fields.String()
    customer_id = fields.UUID()
    account_number = fields.String()
    install_address = fields.String()
    location = fields.String()
    response_hours = fields.Integer()
    counters = fields.List(fields.String())
    status = fields.String()
    created_at = fields.AwareDateTime()
    retired_at = fields.AwareDateTime(allow_none=True)
    removed_at = fields.AwareDateTime(allow_none=True)
    assignees = fields.List(fields.UUID(), metadata={"description": "The device admins in charge of it."})
    stock_location_id = fields.UUID(allow_none=True,
                                    metadata={"description": "The stock location that replenishes its toner."})


class DevicesOut(Schema):
    items = fields.List(fields.Nested(DeviceOut))


class LocationIn(Schema):
    location = _text(500, required=True)


class LocationOut(Schema):
    location = fields.String()
    moved_at = fields.AwareDateTime()
    moved_by = fields.UUID(allow_none=True)


class LocationsOut(Schema):
    items = fields.List(fields.Nested(LocationOut))


class AssigneesIn(Schema):
    user_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(max=200))


class AssigneesOut(Schema):
    device_id = fields.UUID()
    user_ids = fields.List(fields.UUID())


class CounterValues(fields.Dict):
    """Counter name -> value. A bad name or value is reported on `counters.<name>`, the path the
    service's own refusals of a counter use, rather than marshmallow's `counters.<name>.value`."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as error:
            messages = error.messages
            if isinstance(messages, dict):
                if any(isinstance(problems, dict) and "key" in problems for problems in messages.values()):
                    # A bad name is said on `counters` itself: a path holding the name would send
                    # back whatever was typed, however long.
                    raise ValidationError(["Name each counter with 1 to 50 characters."]) from None
                messages = {name: [m for part in problems.values() for m in part] if isinstance(problems, dict)
                            else problems for name, problems in messages.items()}
            raise ValidationError(messages) from None


class ReadingIn(Schema):
    # Every counter of the device, by name: {"total": 120500, "black": 80200, "colour": 40300}.
    # strict: "12" and 12.5 are refused rather than coerced.
    counters = CounterValues(
        keys=_text(50), values=fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_READING)),
        required=True, validate=validate.Length(min=1, max=20),
        metadata={"description": "Every counter of the device, each named once, with its value (a whole number)."},
    )
    read_on = fields.Date(metadata={"description": (
        "Staff only: the day an earlier reading was taken (an engineer's visit, the ERP's history); "
        "not in the future and after the device's latest reading. Today when omitted.")})


class CounterReadingOut(Schema):
    counter = fields.String()
    value = fields.Integer()
    previous_value = fields.Integer(allow_none=True)
    series = fields.Integer()


class ReadingOut(Schema):
    id = fields.UUID()
    device_id = fields.UUID()
    read_on = fields.Date()
    recorded_at = fields.AwareDateTime()
    # In the device's counter order.
    counters = fields.List(fields.Nested(CounterReadingOut))


class ReadingsOut(Schema):
    items = fields.List(fields.Nested(ReadingOut))


class ReplacementIn(Schema):
    counter = _text(50, required=True)
    reason = _text(500, required=True)


class ReplacementOut(Schema):
    id = fields.UUID()
    device_id = fields.UUID()
    counter = fields.String()
    series = fields.Integer()
    reason = fields.String()
    replaced_at = fields.AwareDateTime()
