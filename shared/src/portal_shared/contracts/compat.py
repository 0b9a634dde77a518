"""Whether the published event schemas still read what they promised: snapshots and their comparison.

A snapshot is a JSON description of one (type, version) schema as it travels on the wire: each
field by its wire name with its type (and the options that change its text, such as a decimal's
places), required, allow_none, validation, list items and nested fields. `compare` sets two
snapshots side by side and names every difference, each either breaking or compatible.

The rule is the reader's: a schema stays compatible while it still loads every message the
snapshotted one accepted, and still gives consumers every field they read. So it is BREAKING when
a field is removed or renamed, its type changes, it becomes required (or is added as required),
it stops allowing null, its validation refuses a value it accepted (fewer choices, a narrower
length or range, a new or changed pattern), or the schema starts refusing unknown fields.
Adding an optional field, dropping a requirement or a validator, allowing null, accepting more
choices or a wider range are compatible. A new (type, version) is compatible (a new major is
published side by side); a snapshotted (type, version) that is no longer published is breaking.
"""
from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, fields, validate

SNAPSHOT_FORMAT = 1

# Options that change how a value is written on the wire; others (strict, error messages) do not.
_WIRE_OPTIONS = ("places", "as_string", "format")


# --- describing -------------------------------------------------------------------------------

def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_json_value(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    # Decimal bounds and places: their text is exact and stable.
    return str(value)


def describe_validator(validator: Any) -> dict[str, Any]:
    if isinstance(validator, validate.OneOf):
        return {"kind": "one_of", "choices": _json_value(list(validator.choices))}
    if isinstance(validator, validate.Length):
        return {"kind": "length", "min": validator.min, "max": validator.max, "equal": validator.equal}
    if isinstance(validator, validate.Range):
        return {
            "kind": "range",
            "min": _json_value(validator.min),
            "max": _json_value(validator.max),
            "min_inclusive": validator.min_inclusive,
            "max_inclusive": validator.max_inclusive,
        }
    if isinstance(validator, validate.Regexp):
        return {"kind": "regexp", "pattern": validator.regex.pattern, "flags": int(validator.regex.flags)}
    if isinstance(validator, validate.Validator):
        # marshmallow's validators have a stable repr naming their arguments.
        return {"kind": type(validator).__name__, "repr": repr(validator)}
    return {"kind": f"{getattr(validator, '__module__', '?')}.{getattr(validator, '__qualname__', repr(validator))}"}


def describe_field(field: fields.Field) -> dict[str, Any]:
    described: dict[str, Any] = {"type": type(field).__name__}
    options = {name: _json_value(getattr(field, name)) for name in _WIRE_OPTIONS if hasattr(field, name)}
    if options:
        described["options"] = options
    described["required"] = bool(field.required)
    described["allow_none"] = bool(field.allow_none)
    if field.validators:
        described["validate"] = [describe_validator(v) for v in field.validators]
    if isinstance(field, fields.List):
        described["item"] = describe_field(field.inner)
    elif isinstance(field, fields.Tuple):
        described["items"] = [describe_field(inner) for inner in field.tuple_fields]
    elif isinstance(field, fields.Nested):
        described["many"] = bool(field.many)
        described["schema"] = describe_schema(field.schema)
    elif isinstance(field, fields.Dict):
        described["keys"] = describe_field(field.key_field) if field.key_field else None
        described["values"] = describe_field(field.value_field) if field.value_field else None
    return described


def describe_schema(schema: Schema | type[Schema]) -> dict[str, Any]:
    """The loading side of a schema: the fields a consumer reads, by wire name."""
    instance = schema() if isinstance(schema, type) else schema
    loaded = {
        (field.data_key or name): describe_field(field)
        for name, field in instance.fields.items()
        if not field.dump_only
    }
    return {"unknown": instance.unknown, "fields": dict(sorted(loaded.items()))}


def snapshot_of(event_type: str, version: int, schema: Schema | type[Schema]) -> dict[str, Any]:
    return {"format": SNAPSHOT_FORMAT, "type": event_type, "version": version, **describe_schema(schema)}


def snapshots_of(schemas: Mapping[tuple[str, int], Schema | type[Schema]]) -> dict[tuple[str, int], dict[str, Any]]:
    return {key: snapshot_of(*key, schema) for key, schema in sorted(schemas.items())}


# --- comparing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    event: str           # "payment.confirmed v1"
    field: str | None    # "items[].amount"; None for the event as a whole
    what: str
    breaking: bool

    def __str__(self) -> str:
        where = f"{self.event}, field {self.field}" if self.field else self.event
        return f"{'BREAKING' if self.breaking else 'compatible'}: {where}: {self.what}"


def _type_label(described: dict[str, Any]) -> str:
    options = described.get("options") or {}
    shown = ", ".join(f"{k}={v}" for k, v in sorted(options.items()) if v not in (None, False))
    many = "(many)" if described.get("many") else ""
    return f"{described['type']}{many}{f'({shown})' if shown else ''}"


def _bounds(low: Any, high: Any) -> tuple[decimal.Decimal | None, decimal.Decimal | None]:
    def number(value: Any) -> decimal.Decimal | None:
        return None if value is None else decimal.Decimal(str(value))

    return number(low), number(high)


def _contains(outer: tuple, inner: tuple) -> bool:
    """Whether the interval `outer` holds all of `inner` (None is unbounded)."""
    (outer_low, outer_high), (inner_low, inner_high) = outer, inner
    low_ok = outer_low is None or (inner_low is not None and outer_low <= inner_low)
    high_ok = outer_high is None or (inner_high is not None and inner_high <= outer_high)
    return low_ok and high_ok


def _length_span(described: dict[str, Any]) -> tuple:
    if described["equal"] is not None:
        return _bounds(described["equal"], described["equal"])
    return _bounds(described["min"], described["max"])


def _compare_validator(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, bool] | None:
    """(what changed, breaking) for two validators of one kind, or None when they are equal."""
    if old == new:
        return None
    kind = old["kind"]
    if kind == "one_of":
        dropped = [c for c in old["choices"] if c not in new["choices"]]
        added = [c for c in new["choices"] if c not in old["choices"]]
        if dropped:
            return f"no longer accepts {dropped}", True
        return f"also accepts {added}", False
    if kind == "length":
        old_span, new_span = _length_span(old), _length_span(new)
        label = f"length {_span_label(old_span)} became {_span_label(new_span)}"
        return label, not _contains(new_span, old_span)
    if kind == "range":
        old_span, new_span = _bounds(old["min"], old["max"]), _bounds(new["min"], new["max"])
        label = f"range {_span_label(old_span)} became {_span_label(new_span)}"
        wider = _contains(new_span, old_span)
        # An end that stops including its bound refuses the bound itself.
        for end, bound in (("min_inclusive", "min"), ("max_inclusive", "max")):
            if old[end] and not new[end] and old[bound] is not None and old[bound] == new[bound]:
                wider = False
        return label, not wider
    return f"validation {old} became {new}", True


def _span_label(span: tuple) -> str:
    low, high = span
    return f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"


def _compare_validators(event: str, path: str, old: list[dict], new: list[dict]) -> list[Change]:
    changes = []
    kinds = list(dict.fromkeys([v["kind"] for v in old] + [v["kind"] for v in new]))
    for kind in kinds:
        olds = [v for v in old if v["kind"] == kind]
        news = [v for v in new if v["kind"] == kind]
        if not news:
            changes.append(Change(event, path, f"no longer validated by {kind}", False))
        elif not olds:
            changes.append(Change(event, path, f"now validated by {news}", True))
        elif len(olds) == len(news) == 1:
            result = _compare_validator(olds[0], news[0])
            if result:
                changes.append(Change(event, path, result[0], result[1]))
        elif olds != news:
            changes.append(Change(event, path, f"validation {olds} became {news}", True))
    return changes


def _compare_field(event: str, path: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    if (old["type"], old.get("options"), old.get("many")) != (new["type"], new.get("options"), new.get("many")):
        return [Change(event, path, f"type changed from {_type_label(old)} to {_type_label(new)}", True)]
    changes = []
    if old["required"] != new["required"]:
        changes.append(Change(event, path, "became required" if new["required"] else "no longer required",
                              new["required"]))
    if old["allow_none"] != new["allow_none"]:
        changes.append(Change(event, path, "now allows null" if new["allow_none"] else "no longer allows null",
                              not new["allow_none"]))
    changes += _compare_validators(event, path, old.get("validate", []), new.get("validate", []))
    if "item" in old:
        changes += _compare_field(event, f"{path}[]", old["item"], new["item"])
    if "items" in old:
        if len(old["items"]) != len(new["items"]):
            changes.append(Change(event, path, f"tuple of {len(old['items'])} became {len(new['items'])}", True))
        else:
            for index, (o, n) in enumerate(zip(old["items"], new["items"])):
                changes += _compare_field(event, f"{path}[{index}]", o, n)
    if "schema" in old:
        changes += _compare_schema(event, f"{path}{'[]' if old.get('many') else ''}.", old["schema"], new["schema"])
    for part in ("keys", "values"):
        if part in old and old[part] != new[part]:
            if old[part] is None or new[part] is None:
                # A Dict that starts typing its keys or values may refuse what it took before.
                changes.append(Change(event, f"{path}{{{part}}}", f"{old[part]} became {new[part]}",
                                      new[part] is not None))
            else:
                changes += _compare_field(event, f"{path}{{{part}}}", old[part], new[part])
    return changes


def _without_presence(described: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in described.items() if k not in ("required", "allow_none")}


def _compare_schema(event: str, prefix: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    if old["unknown"] != new["unknown"] and new["unknown"] == RAISE:
        changes.append(Change(event, prefix.rstrip(".") or None,
                              "refuses unknown fields now: a producer can no longer add one", True))
    elif old["unknown"] != new["unknown"]:
        changes.append(Change(event, prefix.rstrip(".") or None,
                              f"unknown fields: {old['unknown']} became {new['unknown']}", False))
    old_fields, new_fields = old["fields"], new["fields"]
    added = [name for name in new_fields if name not in old_fields]
    for name, described in old_fields.items():
        if name in new_fields:
            changes += _compare_field(event, f"{prefix}{name}", described, new_fields[name])
            continue
        # A rename is a removal to the consumer; name the likely new name to make the report plain.
        alike = [a for a in added if _without_presence(new_fields[a]) == _without_presence(described)]
        hint = f" (renamed to {alike[0]}?)" if len(alike) == 1 else ""
        changes.append(Change(event, f"{prefix}{name}", f"removed{hint}", True))
    for name in added:
        required = new_fields[name]["required"]
        what = ("added as required: messages without it are refused" if required
                else f"added ({_type_label(new_fields[name])}, optional)")
        changes.append(Change(event, f"{prefix}{name}", what, required))
    return changes


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference between a snapshot and the current description of the same (type, version)."""
    event = f"{new['type']} v{new['version']}"
    changes = _compare_schema(event, "", old, new)
    if not changes and old != new:
        # Nothing this module classifies, yet the texts differ (e.g. the snapshot format): a refresh.
        changes.append(Change(event, None, "snapshot differs from the schema", False))
    return changes


def compare_all(
    snapshots: Mapping[tuple[str, int], dict[str, Any]],
    current: Mapping[tuple[str, int], dict[str, Any]],
) -> list[Change]:
    """Committed snapshots against the current descriptions, every (type, version) of either."""
    changes: list[Change] = []
    for key in sorted(set(snapshots) | set(current)):
        event = f"{key[0]} v{key[1]}"
        if key not in current:
            changes.append(Change(event, None, "no longer published, but its snapshot is committed "
                                               "(retire it by deleting the snapshot file, once no service consumes it)",
                                  True))
        elif key not in snapshots:
            changes.append(Change(event, None, "new event version (no snapshot yet)", False))
        else:
            changes += compare(snapshots[key], current[key])
    return changes
