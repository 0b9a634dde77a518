"""Every field of a refusal carries a stable code the gateway translates; marshmallow's English
messages stay for API clients."""
from __future__ import annotations

import json

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError, fields, validate

from portal_shared.errors import COMMON, ErrorCatalogue, invalid
from portal_shared.web.field_codes import FIELD_CODES, field_code
from portal_shared.web.problems import register_problem_handlers

CATALOGUE = ErrorCatalogue(COMMON)
EMAIL_IN_USE = CATALOGUE.define("sample.email_in_use", 409, "E-mail in use")


class Sample(Schema):
    email = fields.Email(required=True)
    name = fields.String(required=True, validate=validate.Length(max=5))
    when = fields.Date()
    amount = fields.Decimal(validate=validate.Range(min=1))
    bank = fields.String(validate=validate.OneOf(["bbva", "citibanamex"]))
    count = fields.Integer()
    key = fields.UUID()


def errors_of(data: dict) -> dict:
    with pytest.raises(ValidationError) as refused:
        Sample().load(data)
    return refused.value.messages


def test_each_of_marshmallows_messages_gets_the_code_of_its_kind():
    messages = errors_of({"name": "far too long", "when": "someday", "amount": "0", "bank": "hsbc", "count": "x",
                          "key": "k", "other": 1})
    assert {name: field_code(found[0]) for name, found in messages.items()} == {
        "email": "field.required", "name": "field.too_long", "when": "field.invalid_date",
        "amount": "field.out_of_range", "bank": "field.not_a_choice", "count": "field.invalid_number",
        "key": "field.invalid", "other": "field.unknown",
    }
    assert field_code(errors_of({"email": "not an address", "name": "a"})["email"][0]) == "field.invalid_email"
    assert field_code(errors_of({"email": None, "name": "a"})["email"][0]) == "field.required"


def test_a_message_a_service_wrote_itself_is_field_invalid():
    assert field_code("Must not be after 'to'.") == "field.invalid"
    assert set(FIELD_CODES) >= {"field.invalid", "field.required"}


def app() -> Flask:
    flask_app = Flask(__name__)
    register_problem_handlers(flask_app)

    @flask_app.post("/validate")
    def validate_view():
        Sample().load({"name": "far too long", "email": "x@y.mx"})
        return {}

    @flask_app.post("/own")
    def own_view():
        raise invalid({"period": ["Must not be after 'to'."]})

    @flask_app.post("/refused")
    def refused_view():
        raise EMAIL_IN_USE("x@y.mx is in use.", errors={"email": ["Already in use."]})

    @flask_app.post("/named")
    def named_view():
        raise EMAIL_IN_USE(errors={"email": ["Already in use."], "name": ["Too short."]},
                           field_codes={"name": "field.too_short"})

    return flask_app


@pytest.mark.parametrize(("path", "codes"), [
    ("/validate", {"name": ["field.too_long"]}),
    ("/own", {"period": ["field.invalid"]}),
    ("/refused", {"email": ["sample.email_in_use"]}),
    ("/named", {"email": ["sample.email_in_use"], "name": ["field.too_short"]}),
])
def test_the_problem_document_gives_every_field_in_errors_a_code(path, codes):
    response = app().test_client().post(path)
    body = json.loads(response.data)
    assert body["field_codes"] == codes
    assert set(body["errors"]) == set(codes), "the English messages stay for API clients"
