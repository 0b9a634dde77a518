"""The committed snapshots of the published event schemas, and `portal-contract-snapshots`.

One JSON file per (type, version), `<type>.v<N>.json`, in shared/contracts-snapshots/ of the
checkout: they are the reviewable record of what is on the wire, not code the services run, so
they stay out of the installed package.

    portal-contract-snapshots --check   exit 1 when a change is breaking or a snapshot is out of date
    portal-contract-snapshots --write   write new and compatibly changed snapshots; refuses (and
                                        writes nothing) while any change is breaking

A (type, version) is retired only by deleting its snapshot file by hand, in the same change that
stops publishing it: --write never deletes one, so a retirement is never a side effect of a refresh.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import portal_shared
from portal_shared.contracts.compat import Change, compare_all, snapshots_of

# src/portal_shared/__init__.py -> shared/
SNAPSHOT_DIR = Path(portal_shared.__file__).resolve().parents[2] / "contracts-snapshots"
_FILE_NAME = re.compile(r"^(?P<type>[a-z_]+(?:\.[a-z_]+){1,2})\.v(?P<version>[1-9][0-9]*)\.json$")


class SnapshotError(Exception):
    """The snapshot directory cannot be read as snapshots."""


def file_name(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}.json"


def render(snapshot: dict[str, Any]) -> str:
    # Written in the order it was described: type and version first, fields by name.
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"


def load_snapshots(directory: Path) -> dict[tuple[str, int], dict[str, Any]]:
    if not directory.is_dir():
        raise SnapshotError(
            f"no snapshot directory at {directory}: run from a checkout of the repository "
            "(portal-shared installed editable) or pass --dir"
        )
    snapshots: dict[tuple[str, int], dict[str, Any]] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith("."):
            continue
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise SnapshotError(f"{path.name}: not a snapshot name (<type>.v<N>.json)")
        snapshot = json.loads(path.read_text(encoding="utf-8"))
        key = (match["type"], int(match["version"]))
        if (snapshot.get("type"), snapshot.get("version")) != key:
            raise SnapshotError(f"{path.name} describes {snapshot.get('type')} v{snapshot.get('version')}")
        snapshots[key] = snapshot
    return snapshots


def current_snapshots(schemas: Mapping | None = None) -> dict[tuple[str, int], dict[str, Any]]:
    if schemas is None:
        from portal_shared.contracts.registry import SCHEMAS as schemas
    return snapshots_of(schemas)


def check(directory: Path, schemas: Mapping | None = None) -> list[Change]:
    """Every difference between the committed snapshots and the schemas (empty when they agree)."""
    return compare_all(load_snapshots(directory), current_snapshots(schemas))


def write(directory: Path, schemas: Mapping | None = None) -> tuple[list[Change], list[Path]]:
    """Refresh the snapshots unless a change is breaking; returns the changes and the files written."""
    changes = check(directory, schemas)
    if any(change.breaking for change in changes):
        return changes, []
    written = []
    for (event_type, version), snapshot in current_snapshots(schemas).items():
        path = directory / file_name(event_type, version)
        text = render(snapshot)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return changes, written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="portal-contract-snapshots",
        description="Compare the published event schemas with their committed snapshots, or refresh them.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="fail on a breaking change or an out-of-date snapshot")
    action.add_argument("--write", action="store_true", help="write new and compatibly changed snapshots")
    parser.add_argument("--dir", type=Path, default=SNAPSHOT_DIR, help=f"snapshot directory (default {SNAPSHOT_DIR})")
    args = parser.parse_args(argv)

    try:
        if args.write:
            args.dir.mkdir(parents=True, exist_ok=True)
            changes, written = write(args.dir)
        else:
            changes, written = check(args.dir), []
    except SnapshotError as exc:
        print(f"portal-contract-snapshots: {exc}", file=sys.stderr)
        return 2
    for change in changes:
        print(change)
    breaking = [change for change in changes if change.breaking]
    if breaking:
        print(f"{len(breaking)} breaking change(s): publish a new version side by side instead "
              "(a new schema class and registry entry), and keep the old one until every consumer moved.")
        if args.write:
            print("Nothing written.")
        return 1
    if args.write:
        for path in written:
            print(f"wrote {path}")
        print(f"{len(written)} snapshot(s) written." if written else "Snapshots already up to date.")
        return 0
    if changes:
        print("Snapshots are out of date: run `portal-contract-snapshots --write` and commit them.")
        return 1
    print("Snapshots match the published schemas.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
