"""Corrections to what apispec writes into the services' OpenAPI documents.

Money and rates are marshmallow Decimals. apispec documents every Decimal as a JSON number and
copies a Range validator's Decimal bounds as strings ("minimum": "0.01"), which is not valid
JSON Schema: API fuzzers refuse such a document, and a client generated from it would expect a
number where the services send "1500.00".
"""
from __future__ import annotations

from typing import Any

from flask_smorest import Api
from marshmallow import fields

from portal_shared.errors import ErrorCatalogue
from portal_shared.web.field_codes import FIELD_CODES

# What a Decimal sent as a string looks like: optional sign, digits, optional decimals.
DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"


def _decimal_property(converter, field: fields.Field, ret: dict[str, Any], **_) -> dict[str, Any]:
    if not isinstance(field, fields.Decimal):
        return {}
    bounds = {name: ret.pop(name) for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
              if name in ret}
    if field.as_string:
        # Sent as text: bounds stay for the reader (x-…), the shape is the pattern.
        ret.update({"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN})
        return {f"x-{name}": str(value) for name, value in bounds.items()}
    return {name: float(value) if not isinstance(value, bool) else value for name, value in bounds.items()}


def document_decimals(api: Api) -> None:
    api.ma_plugin.converter.add_attribute_function(_decimal_property)


def document_errors(api: Api, catalogue: ErrorCatalogue) -> None:
    """Every code the service may answer, as the Problem schema's `code` enum and as a table
    (x-error-codes: code → status and title) a client or the gateway can translate from, and the
    codes a field of a validation failure may carry (x-field-codes)."""
    codes = list(catalogue)
    api.spec.components.schema("Problem", {
        "type": "object",
        "required": ["type", "title", "status", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "code": {"type": "string", "enum": [error.code for error in codes]},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "description": "Messages by the dotted path of the field they concern (items.0.amount).",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "field_codes": {
                "type": "object",
                "description": "The code of each message in `errors`, in its order: one of x-field-codes, "
                               "or the refusal's own code when the field is its reason.",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
    })
    api.spec.options["x-field-codes"] = [*FIELD_CODES, *sorted(catalogue.field_codes)]
    api.spec.options["x-error-codes"] = {error.code: {"status": error.status, "title": error.title}
                                         for error in codes}
