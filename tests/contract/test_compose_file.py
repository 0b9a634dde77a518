"""docker-compose.yml is valid, and every image, command and database it names exists in the repository.

The file is read back through `docker-compose config`, so anchors and merges are resolved the
way Compose resolves them. No Docker engine is needed: config only parses.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"


def compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed, so docker-compose.yml cannot be validated: "
            "install it (Debian: apt-get install docker-compose) and run again."
        )
    return binary


def run_compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [compose_binary(), "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def yaml_to_data(text: str) -> Any:
    """PyYAML from this interpreter if it has it, else from docker-compose's own Python (Compose 1.x)."""
    try:
        import yaml
    except ImportError:
        pass
    else:
        return yaml.safe_load(text)
    shebang = Path(compose_binary()).read_bytes()[:200].split(b"\n", 1)[0].decode(errors="replace")
    if not shebang.startswith("#!") or "python" not in shebang:
        pytest.fail("cannot read `docker-compose config` output: no PyYAML here and docker-compose is not a Python script")
    interpreter = shebang[2:].split()
    converted = subprocess.run(
        [*interpreter, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"],
        input=text, capture_output=True, text=True, timeout=60,
    )
    assert converted.returncode == 0, converted.stderr
    return json.loads(converted.stdout)


@cache
def resolved() -> dict[str, Any]:
    result = run_compose("config")
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml_to_data(result.stdout)


def services() -> dict[str, dict[str, Any]]:
    return resolved()["services"]


def built_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in services().items() if "build" in service}


def dockerfile_of(service: dict[str, Any]) -> Path:
    build = service["build"]
    context = (ROOT / build["context"]).resolve() if isinstance(build, dict) else (ROOT / build).resolve()
    return context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")


@cache
def project_of(directory: Path) -> dict[str, Any] | None:
    pyproject = directory / "pyproject.toml"
    if not pyproject.exists():
        return None
    return tomllib.loads(pyproject.read_text())


def test_compose_config_is_valid():
    result = run_compose("config", "-q")
    assert result.returncode == 0, f"docker-compose config -q rejected docker-compose.yml:\n{result.stderr}"


def test_every_build_context_and_dockerfile_exists():
    missing = []
    for name, service in built_services().items():
        dockerfile = dockerfile_of(service)
        if not dockerfile.parent.is_dir() or not dockerfile.is_file():
            missing.append(f"{name}: {dockerfile.relative_to(ROOT) if dockerfile.is_relative_to(ROOT) else dockerfile}")
    assert not missing, "Dockerfiles referenced by docker-compose.yml are missing:\n" + "\n".join(missing)


def test_every_image_is_built_from_the_repository_root():
    # The Dockerfiles copy shared/ in, which only a root context can see.
    for name, service in built_services().items():
        build = service["build"]
        context = build["context"] if isinstance(build, dict) else build
        assert Path(context).resolve() == ROOT, f"{name} builds from {context}, not the repository root"


def test_every_command_is_a_console_script_or_the_packages_web_app():
    problems = []
    for name, service in built_services().items():
        command = service.get("command")
        if not command:
            continue
        if isinstance(command, str):
            command = command.split()
        folder = dockerfile_of(service).parent
        project = project_of(folder)
        if project is None:
            problems.append(f"{name}: runs {command[0]!r} but {folder.name}/pyproject.toml does not exist")
            continue
        if command[0] == "gunicorn":
            packages = {p.name for p in (folder / "src").iterdir() if (p / "__init__.py").exists()}
            config = next((a for a in command if a.startswith("python:")), "")
            app = command[-1]
            config_module = config.removeprefix("python:")
            if config_module.split(".")[0] not in packages or not (
                folder / "src" / Path(*config_module.split("."))
            ).with_suffix(".py").exists():
                problems.append(f"{name}: gunicorn config {config!r} is not a module of {folder.name}")
            if not re.fullmatch(r"(\w+):create_app\(\)", app) or app.split(":")[0] not in packages:
                problems.append(f"{name}: gunicorn app {app!r} is not create_app() of a {folder.name} package")
            continue
        scripts = project.get("project", {}).get("scripts", {})
        if command[0] not in scripts:
            problems.append(f"{name}: {command[0]!r} is not a console script of {folder.name} ({sorted(scripts)})")
    assert not problems, "\n".join(problems)


def test_processes_wait_for_their_migration_and_servers():
    migrations = {name.removesuffix("-migrate"): name for name in services() if name.endswith("-migrate")}
    assert migrations, "no <name>-migrate one-shot services"
    for name, service in built_services().items():
        image = service.get("image")
        for prefix, migrate in migrations.items():
            if name == migrate or image != services()[migrate].get("image"):
                continue
            depends = service.get("depends_on", {})
            assert depends.get(migrate, {}).get("condition") == "service_completed_successfully", (
                f"{name} must wait for {migrate} to complete"
            )
            assert depends.get("postgres", {}).get("condition") == "service_healthy", f"{name} must wait for postgres"
        if name.endswith("-migrate"):
            assert service.get("restart") == "no", f"{name} is a one-shot and must not restart"


def test_each_service_has_its_own_database_created_by_the_init_script():
    postgres = services()["postgres"]
    created = set(postgres["environment"]["PORTAL_DATABASES"].split())
    init_mounts = [v for v in postgres.get("volumes", []) if "docker-entrypoint-initdb.d" in str(v)]
    assert init_mounts, "postgres mounts no init script"
    script = ROOT / "deploy" / "compose" / "postgres" / "10-create-databases.sh"
    assert script.is_file()

    databases_by_image: dict[str, set[str]] = {}
    for name, service in built_services().items():
        url = (service.get("environment") or {}).get("DATABASE_URL")
        if url:
            parsed = urlparse(url)
            assert parsed.scheme == "postgresql" and parsed.hostname == "postgres", f"{name}: {url}"
            databases_by_image.setdefault(service["image"], set()).add(parsed.path.lstrip("/"))
    for image, databases in databases_by_image.items():
        assert len(databases) == 1, f"processes of {image} disagree on their database: {databases}"
    used = [next(iter(d)) for d in databases_by_image.values()]
    assert len(used) == len(set(used)), f"two services share a database: {used}"
    assert set(used) <= created, f"databases not created by the init script: {set(used) - created}"


def test_web_tiers_have_healthchecks_on_their_own_port():
    for name, service in built_services().items():
        command = service.get("command") or []
        if command[:1] != ["gunicorn"]:
            continue
        port = service["environment"]["PORT"]
        check = " ".join(service["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/healthz" in check, f"{name}: healthcheck does not probe its /healthz on {port}"
    for server, probe in (("postgres", "pg_isready"), ("rabbitmq", "rabbitmq-diagnostics")):
        assert probe in " ".join(services()[server]["healthcheck"]["test"])


def test_only_the_gateway_and_development_sinks_are_published():
    published = {name for name, service in services().items() if service.get("ports")}
    # The bank simulators stand in for the banks' hosted pages, which the browser must reach.
    assert published <= {"gateway", "mailsink", "rabbitmq", "bank-citibanamex", "bank-bbva"}, published
    assert any("8000" in str(port) for port in services()["gateway"]["ports"])
