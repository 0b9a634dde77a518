"""Log fields can never collide with a LogRecord's own attributes: one function builds every
`extra`, and it renames what would collide (a collision raises KeyError and took every relay,
consumer and mailer down when METRICS_PORT was set)."""
from __future__ import annotations

import ast
import logging
from pathlib import Path

from portal_shared.logging import RENAMED_FIELD_PREFIX, log_fields

REPOSITORY = Path(__file__).resolve().parents[3]
SOURCE_TREES = sorted(REPOSITORY.glob("*/src"))


def test_fields_named_like_record_attributes_are_renamed_and_logged():
    fields = log_fields({"process": "billing-relay", "name": "x", "message": "m"}, port=9100, module="y")
    assert fields == {f"{RENAMED_FIELD_PREFIX}process": "billing-relay", f"{RENAMED_FIELD_PREFIX}name": "x",
                      f"{RENAMED_FIELD_PREFIX}message": "m", "port": 9100, f"{RENAMED_FIELD_PREFIX}module": "y"}
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("test.log_fields")
    logger.addHandler(handler)
    try:
        # Without the renaming, makeRecord raises KeyError: "Attempt to overwrite 'process' in LogRecord".
        logger.warning("metrics served", extra=log_fields(process="billing-relay", port=9100))
    finally:
        logger.removeHandler(handler)
    [record] = records
    assert getattr(record, f"{RENAMED_FIELD_PREFIX}process") == "billing-relay"
    assert record.port == 9100


def test_every_extra_in_the_portal_is_built_by_log_fields():
    assert len(SOURCE_TREES) >= 6, SOURCE_TREES
    offenders = []
    for tree in SOURCE_TREES:
        for path in tree.rglob("*.py"):
            module = ast.parse(path.read_text(), str(path))
            for node in ast.walk(module):
                if not isinstance(node, ast.Call):
                    continue
                for keyword in node.keywords:
                    if keyword.arg != "extra":
                        continue
                    value = keyword.value
                    built = isinstance(value, ast.Call) and getattr(value.func, "id", None) == "log_fields"
                    if not built:
                        offenders.append(f"{path.relative_to(REPOSITORY)}:{node.lineno}")
    assert not offenders, "log calls whose extra is not log_fields(...):\n" + "\n".join(offenders)
