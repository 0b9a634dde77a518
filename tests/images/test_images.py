"""The shipped images themselves, as deploy/compose-test built them (tag PORTAL_IMAGE_TAG, dev):
every command Kubernetes and compose run is installed in its image, the gateway's worker class
loads there, and a broken image makes the composed run fail instead of passing unnoticed.

Run by deploy/compose-test after the build (they need a Docker engine and the images; without
either they fail saying so)."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "contract"))

from test_k8s_manifests import SERVICES, SIMULATORS, all_containers, rendered, workloads  # noqa: E402

TAG = os.environ.get("PORTAL_IMAGE_TAG", "dev")


def docker(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module", autouse=True)
def engine():
    answer = docker("info", "--format", "{{.ServerVersion}}", timeout=30)
    if answer.returncode != 0:
        pytest.fail(f"no Docker engine answers (deploy/images/build starts one): {answer.stderr.strip()}")


def local_image(image: str) -> str:
    """The image as compose built it here: the repository the manifests name (without the
    registry an overlay puts in front), this run's tag."""
    repository = image.split("@")[0].rsplit(":", 1)[0]
    first, _, rest = repository.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        repository = rest
    local = f"{repository}:{TAG}"
    if docker("image", "inspect", local, timeout=30).returncode != 0:
        pytest.fail(f"{local} is not built: run deploy/compose-test (it builds every image first)")
    return local


def in_image(image: str, *script: str) -> subprocess.CompletedProcess:
    return docker("run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c", *script)


@pytest.mark.parametrize("target", ["dev", "prod"])
def test_every_kubernetes_command_is_installed_in_its_image(target):
    commands: dict[str, set[str]] = {}
    for workload in workloads(rendered(target)):
        for container in all_containers(workload):
            command = container.get("command") or []
            if command:
                commands.setdefault(container["image"], set()).add(command[0])
    assert len(commands) >= 5, commands
    missing = []
    for image, executables in sorted(commands.items()):
        local = local_image(image)
        found = in_image(local, " ; ".join(f'command -v "{name}" >/dev/null || echo "{name}"' for name in sorted(executables)))
        assert found.returncode == 0, found.stderr
        missing += [f"{image}: {name}" for name in found.stdout.split()]
    assert not missing, "commands the manifests run that their image does not install:\n" + "\n".join(missing)


def test_every_compose_command_is_installed_in_its_image():
    import yaml

    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    missing = []
    for name, service in sorted(services.items()):
        command = service.get("command")
        image = service.get("image", "")
        if not command or not image.startswith("portal/"):
            continue
        local = local_image(image.replace("${PORTAL_IMAGE_TAG:-dev}", TAG))
        found = in_image(local, f'command -v "{command[0]}"')
        if found.returncode != 0:
            missing.append(f"{name}: {command[0]} not in {local}")
    assert not missing, "\n".join(missing)


def test_the_gateway_worker_class_loads_in_the_gateway_image():
    image = local_image(f"{SERVICES['gateway'][1]}:{TAG}")
    loaded = docker("run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c",
                    "import portal_gateway.gunicorn_conf as c; from gunicorn.util import load_class; "
                    "load_class(c.worker_class); import portal_gateway; portal_gateway.create_app; print('loaded')")
    assert loaded.returncode == 0 and "loaded" in loaded.stdout, loaded.stderr[-2000:]
    # ... and it holds no database driver and no outbox: it owns no database.
    absent = docker("run", "--rm", "--network", "none", "--entrypoint", "python", image, "-c",
                    "import importlib.util as u; print([m for m in ('psycopg', 'psycopg2') if u.find_spec(m)])")
    assert absent.stdout.strip() == "[]", absent.stdout + absent.stderr


def test_a_broken_image_makes_the_composed_run_fail():
    # The gateway's image without what its worker class needs, as it once shipped: deploy/compose-test
    # must fail on it (the container restarts), not pass without running a test.
    broken_tag = f"broken-{uuid.uuid4().hex[:6]}"
    repositories = sorted({image for _folder, image, _package in SERVICES.values()}
                          | {image for _folder, image in SIMULATORS.values()} | {"portal/mailsink", "portal/tests"})
    gateway = SERVICES["gateway"][1]
    try:
        for repository in repositories:
            source = local_image(f"{repository}:{TAG}")
            if repository != gateway:
                assert docker("tag", source, f"{repository}:{broken_tag}").returncode == 0
        built = docker("build", "-t", f"{gateway}:{broken_tag}", "-", input=(
            f"FROM {gateway}:{TAG}\nUSER root\nRUN pip uninstall --yes packaging\nUSER 10001:10001\n"), timeout=600)
        assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
        run = subprocess.run(
            [str(ROOT / "deploy" / "compose-test")], cwd=ROOT, capture_output=True, text=True, timeout=1800,
            env={**os.environ, "PORTAL_IMAGE_TAG": broken_tag, "COMPOSE_TEST_BUILD": "0",
                 "COMPOSE_TEST_PROJECT": f"portal-{broken_tag}", "COMPOSE_TEST_ARTIFACTS": f"compose-{broken_tag}",
                 "COMPOSE_TEST_IMAGE_SUITE": "0"},
        )
        output = run.stdout + run.stderr
        assert run.returncode != 0, f"deploy/compose-test passed on a broken gateway image:\n{output[-3000:]}"
        assert "gateway" in output and "restarted" in output, output[-3000:]
    finally:
        for repository in repositories:
            docker("rmi", f"{repository}:{broken_tag}", timeout=120)
