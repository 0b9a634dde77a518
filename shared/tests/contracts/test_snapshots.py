"""The committed snapshots (shared/contracts-snapshots/) are true: the published schemas match them,
with no breaking change and no compatible change left unrecorded, and every event a service
consumes has one. Also the `portal-contract-snapshots` command on a scratch directory."""
from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from marshmallow import fields

from portal_shared.contracts import SCHEMAS
from portal_shared.contracts.snapshots import SNAPSHOT_DIR, check, file_name, load_snapshots, main

REPOSITORY = SNAPSHOT_DIR.parents[1]
REFRESH = "run `portal-contract-snapshots --write` and commit shared/contracts-snapshots/"


def test_no_published_schema_breaks_its_snapshot():
    breaking = [str(change) for change in check(SNAPSHOT_DIR) if change.breaking]
    assert breaking == [], (
        "a published event schema changed in a breaking way; publish a new version side by side instead:\n"
        + "\n".join(breaking)
    )


def test_snapshots_are_up_to_date():
    stale = [str(change) for change in check(SNAPSHOT_DIR) if not change.breaking]
    assert stale == [], (
        f"schemas changed compatibly but the snapshots were not refreshed ({REFRESH}):\n" + "\n".join(stale)
    )


def test_every_published_version_has_exactly_one_snapshot():
    assert set(load_snapshots(SNAPSHOT_DIR)) == set(SCHEMAS)
    for event_type, version in SCHEMAS:
        assert (SNAPSHOT_DIR / file_name(event_type, version)).is_file()


def subscriptions() -> dict[str, set[tuple[str, int]]]:
    """Each service's HANDLERS keys, read from its subscriptions module's source (nothing imported)."""
    found: dict[str, set[tuple[str, int]]] = {}
    for path in sorted(REPOSITORY.glob("*/src/*/service_layer/subscriptions.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            target = node.target if isinstance(node, ast.AnnAssign) else (
                node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
            if isinstance(target, ast.Name) and target.id == "HANDLERS":
                assert isinstance(node.value, ast.Dict), f"{path}: HANDLERS is not a dict literal"
                found[path.relative_to(REPOSITORY).parts[0]] = {ast.literal_eval(key) for key in node.value.keys}
        assert path.relative_to(REPOSITORY).parts[0] in found, f"{path}: no HANDLERS found"
    return found


def test_every_consumed_event_has_a_snapshot():
    consumed = subscriptions()
    # billing, payment and servicedesk consume; finding none means the layout moved, not that all is well.
    assert {"billing-service", "payment-service", "servicedesk-service"} <= set(consumed), consumed
    snapshotted = set(load_snapshots(SNAPSHOT_DIR))
    orphans = sorted(
        f"{service} consumes {event_type} v{version}, which has no snapshot: nobody publishes it"
        for service, keys in consumed.items()
        for event_type, version in keys
        if (event_type, version) not in snapshotted
    )
    assert orphans == [], "\n".join(orphans)


# --- the command, on a copy of the snapshots ------------------------------------------------------

@pytest.fixture
def snapshot_copy(tmp_path) -> Path:
    copy = tmp_path / "snapshots"
    shutil.copytree(SNAPSHOT_DIR, copy)
    return copy


def test_check_passes_on_the_committed_snapshots(snapshot_copy, capsys):
    assert main(["--check", "--dir", str(snapshot_copy)]) == 0
    assert "Snapshots match" in capsys.readouterr().out


def test_check_names_each_breaking_change_and_write_refuses(snapshot_copy, capsys):
    path = snapshot_copy / file_name("payment.confirmed", 1)
    snapshot = json.loads(path.read_text())
    # As if the committed contract had promised a field the schema has since dropped.
    snapshot["fields"]["bank_fee"] = {"type": "String", "required": False, "allow_none": True}
    path.write_text(json.dumps(snapshot))
    before = {p.name: p.read_text() for p in snapshot_copy.iterdir()}

    assert main(["--check", "--dir", str(snapshot_copy)]) == 1
    assert "BREAKING: payment.confirmed v1, field bank_fee: removed" in capsys.readouterr().out
    assert main(["--write", "--dir", str(snapshot_copy)]) == 1
    assert "Nothing written." in capsys.readouterr().out
    assert {p.name: p.read_text() for p in snapshot_copy.iterdir()} == before


def test_a_retired_version_is_breaking_until_its_snapshot_is_deleted(snapshot_copy, capsys):
    retired = dict(SCHEMAS)
    del retired[("billing.exchange_rate.set", 1)]
    (change,) = check(snapshot_copy, retired)
    assert change.breaking and change.event == "billing.exchange_rate.set v1"

    (snapshot_copy / file_name("billing.exchange_rate.set", 1)).unlink()
    assert check(snapshot_copy, retired) == []


def test_write_records_a_compatible_change_and_a_new_version(snapshot_copy, monkeypatch, capsys):
    from portal_shared.contracts import billing

    grown = type("ExchangeRateSetV1", (billing.ExchangeRateSetV1,), {"source": fields.String(load_default=None)})
    schemas = {**SCHEMAS, ("billing.exchange_rate.set", 1): grown, ("billing.exchange_rate.set", 2): grown}
    changes = check(snapshot_copy, schemas)
    assert sorted((c.event, c.field, c.breaking) for c in changes) == [
        ("billing.exchange_rate.set v1", "source", False),
        ("billing.exchange_rate.set v2", None, False),
    ]
    monkeypatch.setattr("portal_shared.contracts.registry.SCHEMAS", schemas)
    assert main(["--check", "--dir", str(snapshot_copy)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["--write", "--dir", str(snapshot_copy)]) == 0
    assert "2 snapshot(s) written." in capsys.readouterr().out
    assert main(["--check", "--dir", str(snapshot_copy)]) == 0
    assert (snapshot_copy / file_name("billing.exchange_rate.set", 2)).is_file()


def test_a_missing_directory_is_said_plainly(tmp_path, capsys):
    assert main(["--check", "--dir", str(tmp_path / "nowhere")]) == 2
    assert "no snapshot directory" in capsys.readouterr().err
