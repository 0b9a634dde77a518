"""Request and response shapes of the incidents API (they also write the OpenAPI document)."""
from marshmallow import Schema, fields, validate

from servicedesk_service.domain.categories import INCIDENT_CATEGORIES
from servicedesk_service.domain.incidents import STATUSES

MAX_DESCRIPTION = 5000


def _text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class ContactIn(Schema):
    name = _text(200, required=True)
    phone = _text(40, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=320))


class IncidentIn(Schema):
    device_id = fields.UUID(required=True)
    category = _text(100, required=True, metadata={"enum": list(INCIDENT_CATEGORIES),
                                                   "description": "A key of GET /api/v1/incident-categories."})
    description = _text(MAX_DESCRIPTION, required=True)
    contact = fields.Nested(ContactIn, required=True)


class IncidentsQuery(Schema):
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose incidents to list."})
    device_id = fields.UUID()
    status = fields.String(validate=validate.OneOf(STATUSES))


class CommentIn(Schema):
    text = _text(MAX_DESCRIPTION, required=True)


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class ContactOut(Schema):
    name = fields.String()
    phone = fields.String()
    email = fields.String()


class SlaOut(Schema):
    response_due_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "on_time, at_risk or breached"})
    responded_at = fields.AwareDateTime(allow_none=True)


class HistoryEntryOut(Schema):
    kind = fields.String(metadata={"description": "status or comment"})
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    author = fields.UUID(allow_none=True)
    side = fields.String(metadata={"description": "customer or vendor"})
    at = fields.AwareDateTime()


class IncidentOut(Schema):
    id = fields.UUID()
    number = fields.String(metadata={"description": "What people quote: INC-<year>-<six digits>, counted per year",
                                     "example": "INC-2026-000123"})
    customer_id = fields.UUID()
    device_id = fields.UUID()
    category = fields.String()
    description = fields.String()
    contact = fields.Nested(ContactOut)
    status = fields.String()
    opened_at = fields.AwareDateTime()
    opened_by = fields.UUID(allow_none=True)
    response_due_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)
    sla = fields.Nested(SlaOut)


class IncidentDetailOut(IncidentOut):
    history = fields.List(fields.Nested(HistoryEntryOut))


class IncidentsOut(Schema):
    items = fields.List(fields.Nested(IncidentOut))


class CategoryOut(Schema):
    key = fields.String(metadata={"enum": list(INCIDENT_CATEGORIES),
                                  "description": "What is sent and stored as an incident's category."})


class CategoriesOut(Schema):
    items = fields.List(fields.Nested(CategoryOut))
