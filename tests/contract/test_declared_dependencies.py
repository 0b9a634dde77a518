"""Each package runs on what it declares: its modules, its gunicorn worker class and its entry
points import with nothing but its declared dependencies (and theirs) importable.

An image installs exactly a package's declared dependencies; the development .venv holds every
package and tool at once, so an undeclared import works there and crashes in the container. Here
each package is imported in a fresh interpreter whose import system refuses every module that no
distribution of the package's dependency closure provides, exactly as it would be missing from
the package's image.
"""
from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# distribution -> (folder, the packages it ships, the gunicorn config module of its web tier)
PACKAGES = {
    "portal-gateway": ("gateway", ["portal_gateway"], "portal_gateway.gunicorn_conf"),
    "identity-service": ("identity-service", ["identity_service"], "identity_service.gunicorn_conf"),
    "billing-service": ("billing-service", ["billing_service"], "billing_service.gunicorn_conf"),
    "payment-service": ("payment-service", ["payment_service"], "payment_service.gunicorn_conf"),
    "servicedesk-service": ("servicedesk-service", ["servicedesk_service"], "servicedesk_service.gunicorn_conf"),
    "bank-simulator": ("bank-simulator", ["bank_simulator"], None),
    "pac-simulator": ("pac-simulator", ["pac_simulator"], None),
}


def closure(distribution: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """The distribution and everything its requirements pull in on this interpreter."""
    seen: set[str] = set()
    pending = [(canonicalize_name(distribution), extras)]
    while pending:
        name, wanted = pending.pop()
        key = name
        if key in seen and not wanted:
            continue
        seen.add(key)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            environments = [{"extra": extra} for extra in wanted] or [{"extra": ""}]
            if requirement.marker is not None and not any(requirement.marker.evaluate(env) for env in environments):
                continue
            pending.append((canonicalize_name(requirement.name), frozenset(requirement.extras)))
    return seen


@cache
def top_level_modules() -> dict[str, set[str]]:
    """Importable top-level name -> the distributions providing it, editable portal packages included."""
    provided: dict[str, set[str]] = {}
    for module, distributions in metadata.packages_distributions().items():
        provided.setdefault(module, set()).update(canonicalize_name(d) for d in distributions)
    for distribution, (folder, modules, _conf) in PACKAGES.items():
        for module in modules:
            provided.setdefault(module, set()).add(distribution)
    provided.setdefault("portal_shared", set()).add("portal-shared")
    return provided


def allowed_modules(distribution: str) -> list[str]:
    mine = closure(distribution)
    return sorted(module for module, providers in top_level_modules().items() if providers & mine)


# Runs in the child interpreter: refuse what the image would not have, then import everything.
CHILD = r"""
import importlib, importlib.abc, importlib.machinery, importlib.metadata, json, pkgutil, sys
allowed = set(json.loads(sys.argv[1]))
packages, gunicorn_conf, scripts = json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)

class DeclaredOnly(importlib.abc.MetaPathFinder):
    # Wraps a finder: a top-level module outside the closure is simply not found, as in the image
    # (probes such as importlib.util.find_spec then answer None, as they would there).
    def __init__(self, inner):
        self.inner = inner
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top not in stdlib and top not in allowed and not top.startswith("_"):
            return None
        return self.inner.find_spec(name, path, target)
    def find_distributions(self, *args, **kwargs):
        return getattr(self.inner, "find_distributions", lambda *a, **k: [])(*args, **kwargs)
    def invalidate_caches(self):
        getattr(self.inner, "invalidate_caches", lambda: None)()

builtin = (importlib.machinery.BuiltinImporter, importlib.machinery.FrozenImporter)
sys.meta_path[:] = [f if f in builtin else DeclaredOnly(f) for f in sys.meta_path]
for package in packages:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        # Alembic runs the migration scripts in its own context; importing them alone is not a use.
        if ".migrations" not in info.name:
            importlib.import_module(info.name)
for target in scripts:
    module, _, attribute = target.partition(":")
    getattr(importlib.import_module(module), attribute.split(".")[0])
if gunicorn_conf != "-":
    conf = importlib.import_module(gunicorn_conf)
    from gunicorn.util import load_class
    load_class(getattr(conf, "worker_class", "sync"))
print("imported")
"""


@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_the_package_imports_with_only_its_declared_dependencies(distribution: str):
    folder, modules, gunicorn_conf = PACKAGES[distribution]
    scripts = [entry.value for entry in metadata.distribution(distribution).entry_points if entry.group == "console_scripts"]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(allowed_modules(distribution)), json.dumps(modules),
         gunicorn_conf or "-", json.dumps(scripts)],
        capture_output=True, text=True, timeout=300, cwd=ROOT / folder,
    )
    assert result.returncode == 0 and "imported" in result.stdout, (
        f"{distribution} imports something it does not declare in {folder}/pyproject.toml:\n{result.stderr[-3000:]}"
    )


def test_the_gateway_depends_on_no_database_driver_or_outbox():
    gateway = closure("portal-gateway")
    assert not {"psycopg", "psycopg-binary", "psycopg2", "psycopg2-binary"} & gateway, sorted(gateway)
