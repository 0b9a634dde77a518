"""Hostile JSON is refused with a 4xx naming the body, never reaching a view as a 500."""
from __future__ import annotations

import pytest

from portal_shared.web.json_body import MAX_DEPTH, MAX_NUMBER_LENGTH, BodyRefused, is_file_body, parse_json_body

JSON = "application/json"


def refused(raw: bytes, content_type: str | None = JSON) -> BodyRefused:
    with pytest.raises(BodyRefused) as caught:
        parse_json_body(raw, content_type)
    return caught.value


@pytest.mark.parametrize(("raw", "code"), [
    (b"[" * 1000 + b"]" * 1000, "body.too_deep"),
    (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), "body.too_deep"),
    (b'{"n": ' + b"9" * 5000 + b"}", "body.number_too_long"),
    (b'{"n": 1e999}', "body.number_too_long"),
    (b'{"n": ' + b"1" * (MAX_NUMBER_LENGTH + 1) + b"}", "body.number_too_long"),
    (b'{"name": "\\ud800"}', "body.invalid_unicode"),
    (b'{"\\udfff": 1}', "body.invalid_unicode"),
    (b'["ok", ["\\ud83d"]]', "body.invalid_unicode"),
    (b'\xef\xbb\xbf{"a": 1}', "body.not_utf8"),
    (b'{"a": "\xff"}', "body.not_utf8"),
    (b'{"a": NaN}', "body.invalid_json"),
    (b'{"a": Infinity}', "body.invalid_json"),
    (b'{"a": ', "body.invalid_json"),
    (b"not json", "body.invalid_json"),
])
def test_hostile_bodies_are_refused_with_a_400_and_a_code(raw, code):
    refusal = refused(raw)
    assert (refusal.status, refusal.code) == (400, code)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp"])
def test_a_body_that_is_not_declared_json_is_415(content_type):
    refusal = refused('{"name": "Almacén"}'.encode(), content_type)
    assert (refusal.status, refusal.code) == (415, "body.unsupported_media_type")


def test_only_a_route_listed_takes_a_file_and_only_in_its_media_type():
    assert is_file_body("POST", "/api/v1/exchange-rates/banxico", "text/csv")
    assert is_file_body("post", "/api/v1/exchange-rates/banxico", "Text/CSV; charset=latin-1")
    assert not is_file_body("POST", "/api/v1/exchange-rates/banxico", "application/json")
    assert not is_file_body("POST", "/api/v1/exchange-rates/banxico", "text/plain")
    assert not is_file_body("PUT", "/api/v1/exchange-rates/banxico", "text/csv")
    assert not is_file_body("POST", "/api/v1/exchange-rates", "text/csv")
    assert not is_file_body("POST", None, "text/csv")


def test_what_an_api_client_sends_is_taken():
    assert parse_json_body(b"", None) is None
    assert parse_json_body('{"name": "Almacén 😀", "n": 12, "x": 1.5}'.encode(), "application/json; charset=utf-8") == {
        "name": "Almacén 😀", "n": 12, "x": 1.5}
    # A pair of surrogates written as escapes is one character, not an invalid one.
    assert parse_json_body(b'{"e": "\\ud83d\\ude00"}', "application/problem+json") == {"e": "😀"}
    nested = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert parse_json_body(nested, JSON) is not None
    # Brackets inside strings are text, not nesting.
    assert parse_json_body(b'{"a": "' + b"[" * 500 + b'"}', JSON) == {"a": "[" * 500}


# ------------------------------------------------------------------ strict decimals

from decimal import Decimal  # noqa: E402

from marshmallow import Schema, ValidationError  # noqa: E402

from portal_shared.web.fields import StrictDecimal  # noqa: E402


class Amount(Schema):
    amount = StrictDecimal(places=2, required=True)


@pytest.mark.parametrize("value", ["1e-2", "１０", "+10", " 10.00 ", "-5", "10.005", "0x10", "010", "1,000.00",
                                   "", "NaN", "Infinity", 10.5, True, None, [], "10.", ".5"])
def test_money_is_written_one_way_only(value):
    with pytest.raises(ValidationError) as caught:
        Amount().load({"amount": value})
    assert "amount" in caught.value.messages


@pytest.mark.parametrize(("value", "expected"), [("1234.50", "1234.50"), ("0.01", "0.01"), ("10", "10.00"), (10, "10.00"),
                                                 ("9999999999999999.99", "9999999999999999.99")])
def test_money_as_api_clients_send_it(value, expected):
    assert Amount().load({"amount": value}) == {"amount": Decimal(expected)}
