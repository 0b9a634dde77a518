"""Every package of the repository records its version once: CHANGELOG.md's top entry (Keep a
Changelog) is the `version` of its pyproject.toml, which the installed package reports on /healthz.

It lives with the library because the library is what every package is built on; it reads the
sibling packages' files and fails when one is missing rather than passing on a partial checkout."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]
PACKAGES = (
    "shared", "identity-service", "billing-service", "payment-service",
    "servicedesk-service", "gateway", "bank-simulator", "pac-simulator",
)
# "## [1.2.0] - 2026-12-01", the heading of a released entry in Keep a Changelog.
ENTRY = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$")


def top_entry(changelog: str) -> re.Match | None:
    """The first second-level heading, which must be a released version's."""
    for line in changelog.splitlines():
        if line.startswith("## "):
            return ENTRY.match(line)
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_changelog_top_entry_is_the_pyproject_version(package):
    directory = REPOSITORY / package
    pyproject = directory / "pyproject.toml"
    changelog = directory / "CHANGELOG.md"
    assert pyproject.is_file(), f"{pyproject} is missing"
    assert changelog.is_file(), f"{changelog} is missing"
    version = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n"), f"{changelog}: not a Keep a Changelog file"
    entry = top_entry(text)
    assert entry is not None, f"{changelog}: the top entry is not '## [<version>] - YYYY-MM-DD'"
    assert entry["version"] == version, (
        f"{changelog} starts at {entry['version']} but {pyproject} says {version}: "
        "bump the version and add its entry on top together"
    )


def test_every_package_is_listed():
    # A new package must get a changelog too: the list above is every folder with a pyproject.
    found = {path.parent.name for path in REPOSITORY.glob("*/pyproject.toml")}
    assert found == set(PACKAGES)
