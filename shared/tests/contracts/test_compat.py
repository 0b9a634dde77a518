"""The compatibility rules on made-up schemas: each breaking kind is caught, compatible kinds pass."""
from __future__ import annotations

import pytest
from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

from portal_shared.contracts.base import EventData, money, rate
from portal_shared.contracts.compat import Change, compare, compare_all, describe_schema, snapshot_of


class Line(EventData):
    sku = fields.String(required=True)
    amount = money(required=True)


class Before(EventData):
    order_id = fields.UUID(required=True)
    amount = money(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "paid")))
    note = fields.String(load_default=None, allow_none=True)
    reference = fields.String(load_default=None)
    tags = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=5))
    lines = fields.List(fields.Nested(Line), required=True)
    count = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    owner = fields.UUID(required=True, allow_none=True)


def after(**changed) -> type[Schema]:
    """Before with `changed` fields replaced (a value of None removes the field)."""
    attrs = {name: field for name, field in Before._declared_fields.items()}
    for name, field in changed.items():
        if field is None:
            del attrs[name]
        else:
            attrs[name] = field
    return type("After", (EventData,), attrs)


def changes_for(schema: type[Schema]) -> list[Change]:
    return compare(snapshot_of("shop.order.placed", 1, Before), snapshot_of("shop.order.placed", 1, schema))


def only(changes: list[Change]) -> Change:
    assert len(changes) == 1, [str(c) for c in changes]
    return changes[0]


def test_an_unchanged_schema_has_no_changes():
    assert changes_for(after()) == []


def test_a_new_attribute_name_with_the_same_wire_name_is_no_change():
    schema = after(amount=None, total=money(required=True, data_key="amount"))
    assert changes_for(schema) == []


BREAKING = {
    "removed": (dict(note=None), "note", "removed"),
    "renamed": (dict(note=None, remark=fields.String(load_default=None, allow_none=True)), "note",
                "removed (renamed to remark?)"),
    # A required field renamed: gone under its old name, and missing from every message under the new one.
    "renamed on the wire": (dict(amount=money(required=True, data_key="total")), "amount",
                            "removed (renamed to total?)",
                            ("total", "added as required: messages without it are refused")),
    "type changed": (dict(count=fields.String(required=True)), "count", "type changed from Integer to String"),
    "decimal places changed": (dict(amount=rate(required=True)), "amount",
                               "type changed from Decimal(as_string=True, places=0.01) to "
                               "Decimal(as_string=True, places=0.0001)"),
    "became required": (dict(reference=fields.String(required=True, allow_none=True)), "reference", "became required"),
    "stopped allowing null": (dict(owner=fields.UUID(required=True)), "owner", "no longer allows null"),
    "added as required": (dict(placed_by=fields.UUID(required=True)), "placed_by",
                          "added as required: messages without it are refused"),
    "list item type changed": (dict(tags=fields.List(fields.Integer(), required=True,
                                                     validate=validate.Length(min=1, max=5))),
                               "tags[]", "type changed from String to Integer"),
    "list became a single value": (dict(tags=fields.String(required=True)), "tags",
                                   "type changed from List to String"),
    "nested field removed": (dict(lines=fields.List(fields.Nested(type("L", (EventData,), {
        "sku": fields.String(required=True)})), required=True)), "lines[].amount", "removed"),
    "nested field became required": (dict(lines=fields.List(fields.Nested(type("L", (EventData,), {
        "sku": fields.String(required=True), "amount": money(required=True),
        "unit": fields.String(required=True)})), required=True)), "lines[].unit",
        "added as required: messages without it are refused"),
    "choice dropped": (dict(status=fields.String(required=True, validate=validate.OneOf(("open",)))), "status",
                       "no longer accepts ['paid']"),
    "length narrowed": (dict(tags=fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=3))),
                        "tags", "length [1, 5] became [1, 3]"),
    "range narrowed": (dict(count=fields.Integer(required=True, validate=validate.Range(min=1, max=100))),
                       "count", "range [0, 100] became [1, 100]"),
    "range bound made exclusive": (dict(count=fields.Integer(required=True, validate=validate.Range(
        min=0, max=100, max_inclusive=False))), "count", "range [0, 100] became [0, 100]"),
    "validator added": (dict(note=fields.String(load_default=None, allow_none=True,
                                                validate=validate.Regexp(r"^[a-z]+$"))), "note",
                        "now validated by [{'kind': 'regexp', 'pattern': '^[a-z]+$', 'flags': 32}]"),
}


@pytest.mark.parametrize("change", BREAKING.values(), ids=BREAKING.keys())
def test_breaking_changes_are_caught(change):
    fields_changed, path, what, *also = change
    found = [c for c in changes_for(after(**fields_changed)) if c.breaking]
    assert [(c.field, c.what) for c in found] == [(path, what), *also]


def test_refusing_unknown_fields_is_breaking():
    strict = type("Strict", (Schema,), {**Before._declared_fields, "Meta": type("Meta", (), {"unknown": RAISE})})
    change = only(changes_for(strict))
    assert change.breaking and "refuses unknown fields" in change.what


def test_a_breaking_change_reads_plainly():
    change = only([c for c in changes_for(after(count=fields.String(required=True))) if c.breaking])
    assert str(change) == "BREAKING: shop.order.placed v1, field count: type changed from Integer to String"


COMPATIBLE = {
    "optional field added": (dict(channel=fields.String(load_default=None, allow_none=True)), "channel",
                             "added (String, optional)"),
    "no longer required": (dict(count=fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))),
                           "count", "no longer required"),
    "now allows null": (dict(amount=money(required=True, allow_none=True)), "amount", "now allows null"),
    "choice added": (dict(status=fields.String(required=True, validate=validate.OneOf(("open", "paid", "void")))),
                     "status", "also accepts ['void']"),
    "length widened": (dict(tags=fields.List(fields.String(), required=True, validate=validate.Length(min=0))),
                       "tags", "length [1, 5] became [0, inf]"),
    "range widened": (dict(count=fields.Integer(required=True, validate=validate.Range(min=0))), "count",
                      "range [0, 100] became [0, inf]"),
    "validator dropped": (dict(tags=fields.List(fields.String(), required=True)), "tags",
                          "no longer validated by length"),
    "nested optional field added": (dict(lines=fields.List(fields.Nested(type("L", (EventData,), {
        "sku": fields.String(required=True), "amount": money(required=True),
        "unit": fields.String(load_default=None)})), required=True)), "lines[].unit", "added (String, optional)"),
}


@pytest.mark.parametrize("change", COMPATIBLE.values(), ids=COMPATIBLE.keys())
def test_compatible_changes_pass_but_are_reported(change):
    fields_changed, path, what = change
    assert [(c.field, c.what, c.breaking) for c in changes_for(after(**fields_changed))] == [(path, what, False)]


def test_versions_added_and_removed():
    old = {("shop.order.placed", 1): snapshot_of("shop.order.placed", 1, Before)}
    new = {**old, ("shop.order.placed", 2): snapshot_of("shop.order.placed", 2, after(note=None))}
    added = only(compare_all(old, new))
    assert (added.event, added.breaking) == ("shop.order.placed v2", False)

    removed = only(compare_all(new, {("shop.order.placed", 2): new[("shop.order.placed", 2)]}))
    assert (removed.event, removed.field, removed.breaking) == ("shop.order.placed v1", None, True)
    assert "no longer published" in removed.what


def test_description_names_every_wire_detail():
    described = describe_schema(Before)
    assert described["unknown"] == EXCLUDE
    assert described["fields"]["amount"] == {
        "type": "Decimal", "options": {"places": "0.01", "as_string": True}, "required": True, "allow_none": False,
    }
    assert described["fields"]["lines"]["item"]["schema"]["fields"]["sku"]["type"] == "String"
    assert described["fields"]["tags"]["item"]["type"] == "String"
    assert described["fields"]["owner"]["allow_none"] is True
