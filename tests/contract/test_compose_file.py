"""docker-compose.yml is valid, and every image, command and database it names exists in the repository;
every web tier and process is scraped by the optional Prometheus; docker-compose.tests.yml runs
the cross-service suites against the stack with every variable tests/stack.py's external mode reads.

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
# Read with docker-compose.yml when no -f is given: the development stack's published ports.
OVERRIDE_FILE = ROOT / "docker-compose.override.yml"


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


def package_folder_of(service: dict[str, Any]) -> Path:
    """The folder of the package an image holds: its SERVICE build argument (the portal's packages
    share deploy/service.Dockerfile), else the folder of its own Dockerfile."""
    build = service["build"]
    args = build.get("args") or {} if isinstance(build, dict) else {}
    return ROOT / args["SERVICE"] if "SERVICE" in args else dockerfile_of(service).parent


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
        folder = package_folder_of(service)
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


@cache
def development_services() -> dict[str, dict[str, Any]]:
    """The stack `docker compose up` starts: docker-compose.yml with its override."""
    result = subprocess.run([compose_binary(), "-f", str(COMPOSE_FILE), "-f", str(OVERRIDE_FILE), "config"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"docker-compose config with the override failed:\n{result.stderr}"
    return yaml_to_data(result.stdout)["services"]


def test_only_the_gateway_and_development_sinks_are_published_and_only_on_loopback():
    assert not [name for name, service in services().items() if service.get("ports")], (
        "docker-compose.yml itself publishes no port: the development ports live in the override, "
        "so the test stack (which leaves the override out) runs beside a development stack"
    )
    published = {name: service["ports"] for name, service in development_services().items() if service.get("ports")}
    # The bank simulators stand in for the banks' hosted pages, which the browser must reach.
    # Prometheus (--profile observability) is the development stack's own, on the host's loopback.
    assert set(published) <= {"gateway", "mailsink", "rabbitmq", "bank-citibanamex", "bank-bbva", "prometheus"}, published
    assert any("8000" in str(port) for port in published["gateway"])
    for name, ports in published.items():
        for port in ports:
            host_ip = port.get("host_ip") if isinstance(port, dict) else str(port).split(":")[0]
            assert host_ip == "127.0.0.1", f"{name} publishes {port} beyond the host's loopback"


def test_base_images_are_parameters_defaulting_to_the_official_images():
    text = COMPOSE_FILE.read_text()
    assert "${POSTGRES_IMAGE:-postgres:" in text and "${RABBITMQ_IMAGE:-rabbitmq:" in text
    for name, service in built_services().items():
        args = service["build"].get("args") or {}
        assert str(args.get("PYTHON_IMAGE", "")).startswith("python:3.11"), f"{name}: build args {args}"
        dockerfile = dockerfile_of(service).read_text()
        assert re.search(r"(?m)^ARG PYTHON_IMAGE=python:3\.11", dockerfile), f"{name}: no ARG PYTHON_IMAGE in its Dockerfile"
        stages = re.findall(r"(?im)^FROM\s+(\S+)", dockerfile)
        assert stages and all(stage == "${PYTHON_IMAGE}" for stage in stages), f"{name}: FROM {stages}"


def test_identity_believes_the_client_address_from_the_gateway_only():
    identity = services()["identity"]["environment"]
    assert identity.get("TRUSTED_PROXIES") == "gateway", identity.get("TRUSTED_PROXIES")
    for name, service in resolved_with_tests()["services"].items():
        environment = service.get("environment") or {}
        assert "LOGIN_ADDRESS_MAX_FAILURES" not in environment and "FIRST_LOGIN_ADDRESS_MAX_FAILURES" not in environment, (
            f"{name}: the test stack keeps the per-address lockout as shipped"
        )
    assert resolved_with_tests()["services"]["gateway"]["environment"].get("TRUSTED_PROXY_HOPS") == "1"
    assert not [name for name, service in resolved_with_tests()["services"].items() if service.get("ports")], (
        "the test stack publishes no host port"
    )


# ------------------------------------------------------------------ metrics

# billing-stamper is billing's relay of the receipts to stamp ("stamp" channel).
PROCESS_SUFFIXES = ("-relay", "-consumer", "-mailer", "-stamper")
PROMETHEUS_FILE = ROOT / "deploy" / "compose" / "prometheus.yml"


def web_tiers() -> dict[str, int]:
    """Compose service -> port of every gunicorn server (the four services and the gateway)."""
    return {name: int(service["environment"]["PORT"]) for name, service in built_services().items()
            if (service.get("command") or [])[:1] == ["gunicorn"]}


def processes() -> dict[str, dict[str, Any]]:
    """Every relay, consumer and mailer: the processes that serve /metrics on METRICS_PORT."""
    return {name: service for name, service in built_services().items()
            if (service.get("command") or [""])[0].endswith(PROCESS_SUFFIXES)}


def test_every_relay_consumer_and_mailer_serves_metrics_in_the_network():
    assert len(processes()) == 12, sorted(processes())
    problems = []
    for name, service in processes().items():
        environment = service.get("environment") or {}
        port = environment.get("METRICS_PORT")
        if not port or not str(port).isdigit() or int(port) <= 0:
            problems.append(f"{name}: METRICS_PORT is {port!r}, so it serves no /metrics")
            continue
        if environment.get("METRICS_HOST") != "0.0.0.0":
            problems.append(f"{name}: METRICS_HOST {environment.get('METRICS_HOST')!r}: Prometheus in another container cannot reach it")
        check = " ".join(service.get("healthcheck", {}).get("test", []))
        if f"127.0.0.1:{port}/metrics" not in check:
            problems.append(f"{name}: healthcheck does not probe its /metrics on {port}")
    assert not problems, "\n".join(problems)


def prometheus_targets() -> dict[str, set[str]]:
    import yaml

    config = yaml.safe_load(PROMETHEUS_FILE.read_text())
    return {job["job_name"]: {target for static in job.get("static_configs", []) for target in static["targets"]}
            for job in config["scrape_configs"]}


def test_prometheus_scrapes_every_web_tier_and_process():
    assert PROMETHEUS_FILE.is_file(), f"{PROMETHEUS_FILE.relative_to(ROOT)} is missing"
    expected = {f"{name}:{port}" for name, port in web_tiers().items()}
    expected |= {f"{name}:{service['environment']['METRICS_PORT']}" for name, service in processes().items()}
    scraped = set().union(*prometheus_targets().values())
    assert len(web_tiers()) == 5, sorted(web_tiers())
    assert scraped == expected, (f"not scraped: {sorted(expected - scraped)}; "
                                 f"scraped but not a web tier or process of the stack: {sorted(scraped - expected)}")


def test_prometheus_is_an_optional_pinned_service_reading_the_scrape_config():
    prometheus = services()["prometheus"]
    assert prometheus.get("profiles") == ["observability"], "Prometheus must start only with --profile observability"
    image = prometheus["image"]
    repository, _, tag = image.rpartition(":")
    assert repository and tag and tag != "latest" and "/" not in tag, f"Prometheus image {image} is not pinned to a tag"
    mounts = [str(volume) for volume in prometheus.get("volumes", [])]
    assert any("deploy/compose/prometheus.yml" in mount and "/etc/prometheus/prometheus.yml" in mount for mount in mounts), mounts
    assert any("--config.file=/etc/prometheus/prometheus.yml" in argument for argument in prometheus.get("command", []))


def test_the_gateway_answers_metrics_to_prometheus_only_on_the_hosts_loopback():
    # Off loopback the gateway's /metrics is 404 unless METRICS_PUBLIC; that is only safe while
    # nothing beyond this machine reaches its port.
    gateway = development_services()["gateway"]
    if gateway["environment"].get("METRICS_PUBLIC") in ("1", "true", "yes", "on"):
        for port in gateway["ports"]:
            text = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port.get('published')}:{port.get('target')}"
            assert str(text).startswith("127.0.0.1:"), f"gateway publishes {port} beyond loopback with METRICS_PUBLIC on"


def test_every_image_pulled_is_pinned_to_a_tag():
    for name, service in services().items():
        if "build" in service:
            continue
        tag = service["image"].rpartition(":")[2] if ":" in service["image"] else ""
        assert tag and tag != "latest", f"{name}: image {service['image']} is not pinned"


# ------------------------------------------------------------------ the tests stack

TESTS_FILE = ROOT / "docker-compose.tests.yml"


def run_tests_compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [compose_binary(), "-f", str(COMPOSE_FILE), "-f", str(TESTS_FILE), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


@cache
def resolved_with_tests() -> dict[str, Any]:
    result = run_tests_compose("config")
    assert result.returncode == 0, f"docker-compose config with docker-compose.tests.yml failed:\n{result.stderr}"
    return yaml_to_data(result.stdout)


def runner_service() -> dict[str, Any]:
    return resolved_with_tests()["services"]["tests"]


def test_the_tests_stack_is_valid():
    assert TESTS_FILE.is_file()
    result = run_tests_compose("config", "-q")
    assert result.returncode == 0, f"docker-compose config -q rejected docker-compose.tests.yml:\n{result.stderr}"


def test_the_tests_service_builds_from_the_root_with_a_multi_stage_dockerfile():
    service = runner_service()
    build = service["build"]
    assert Path(build["context"]).resolve() == ROOT, f"tests builds from {build['context']}, not the repository root"
    dockerfile = dockerfile_of(service)
    assert dockerfile.is_file(), f"{dockerfile} does not exist"
    text = dockerfile.read_text()
    stages = re.findall(r"(?im)^FROM\s+(\S+)", text)
    assert len(stages) >= 2, f"{dockerfile.relative_to(ROOT)} is not multi-stage: {stages}"
    defaults = dict(re.findall(r"(?m)^ARG\s+(\w+)=(\S+)", text))
    for image in stages:
        if image in re.findall(r"(?im)^FROM\s+\S+\s+AS\s+(\S+)", text):
            continue
        argument = re.fullmatch(r"\$\{(\w+)\}", image)
        image = defaults.get(argument.group(1), "") if argument else image
        assert ":" in image and not image.endswith(":latest"), f"base image {image!r} is not pinned"
    # Debian's own build, not a downloaded one; unpinned, because the archive keeps only the newest
    # security build of Chromium and a pinned one stops building the day the next is published.
    assert re.search(r"apt-get install[^\n]*\bchromium\b", text), "Chromium is not installed from Debian"
    assert re.search(r"(?m)^USER\s+\d+", text), "the runner must not run as root"


def test_the_tests_service_runs_the_cross_service_suites():
    command = runner_service()["command"]
    assert command[0] == "pytest", command
    suites = [argument for argument in command[1:] if not argument.startswith("-") and argument != "no:cacheprovider"]
    assert {"e2e", "browser"} <= set(suites), command
    for suite in suites:
        assert (ROOT / "tests" / suite).is_dir(), f"tests runs {suite}, which is not a folder of tests/"


def test_the_tests_service_waits_for_the_whole_stack_to_be_healthy():
    base = services()
    depends = runner_service().get("depends_on", {})
    problems = []
    for name, service in base.items():
        if service.get("profiles"):
            continue  # optional (observability)
        command = service.get("command") or []
        if command and command[0].endswith(("-migrate", "-seed-demo", "-make-csd")):
            continue  # one-shots: the long-running processes wait for them already
        wanted = "service_healthy" if service.get("healthcheck") else "service_started"
        got = depends.get(name, {}).get("condition")
        if got != wanted:
            problems.append(f"tests: depends on {name} with {got!r}, expected {wanted!r}")
    seeds = [name for name, service in base.items() if (service.get("command") or [""])[0].endswith("-seed-demo")]
    assert seeds
    for seed in seeds:
        if depends.get(seed, {}).get("condition") != "service_completed_successfully":
            problems.append(f"tests: does not wait for {seed} (the demo users the suite signs in as)")
    assert not problems, "\n".join(problems)


def url_of_service(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "", parsed.port or 80


def test_the_tests_service_gets_every_variable_the_external_mode_reads():
    from stack import BANKS, EXTERNAL_VARIABLES, SERVICES

    stack_services = resolved_with_tests()["services"]
    environment = runner_service().get("environment") or {}
    assert environment.get("PORTAL_STACK") == "external"
    missing = [name for name in EXTERNAL_VARIABLES if name not in environment
               or (environment[name] in (None, "") and name != "STACK_QUEUE_PREFIX")]
    assert not missing, f"tests/stack.py's external mode reads these, docker-compose.tests.yml does not set them: {missing}"

    # ... and each names what the stack really runs.
    problems = []

    def expect(variable: str, value: Any) -> None:
        if environment[variable] != value:
            problems.append(f"{variable}={environment[variable]!r}, the stack has {value!r}")

    web = {"gateway": "gateway", **{name: name for name in SERVICES}}
    for name, compose_name in web.items():
        variable = f"STACK_{name.upper()}_URL"
        expect(variable, f"http://{compose_name}:{stack_services[compose_name]['environment']['PORT']}")
    payment = stack_services["payment"]["environment"]
    for bank in BANKS:
        expect(f"STACK_{bank.upper()}_URL", payment[f"{bank.upper()}_URL"])
        expect(f"STACK_{bank.upper()}_SECRET", payment[f"{bank.upper()}_SECRET"])
        simulator = stack_services[f"bank-{bank}"]["environment"]
        # Payment hands the runner the simulator's public URL; the runner must be able to follow it.
        if url_of_service(simulator["SIMULATOR_PUBLIC_URL"])[0] != f"bank-{bank}":
            problems.append(f"bank-{bank}: SIMULATOR_PUBLIC_URL {simulator['SIMULATOR_PUBLIC_URL']} is not reachable in the network")
    for name in SERVICES:
        expect(f"STACK_{name.upper()}_DATABASE_URL", stack_services[name]["environment"]["DATABASE_URL"])
    expect("STACK_AMQP_URL", stack_services["billing-consumer"]["environment"]["AMQP_URL"])
    consumer = stack_services["billing-consumer"]["environment"]
    expect("STACK_EVENTS_EXCHANGE", consumer.get("EVENTS_EXCHANGE", "portal.events"))
    expect("STACK_QUEUE_PREFIX", consumer.get("QUEUE_PREFIX", ""))
    mail_host, mail_port = url_of_service(environment["STACK_MAIL_URL"])
    if mail_host not in stack_services or f":{mail_port}" not in " ".join(stack_services[mail_host]["healthcheck"]["test"]):
        problems.append(f"STACK_MAIL_URL {environment['STACK_MAIL_URL']} is not the mail sink's HTTP port")
    seed = stack_services["identity-seed-demo"]["environment"]
    seeded_with = seed.get("DEMO_PASSWORD") or "Portal-Demo-2026"
    expect("STACK_DEMO_PASSWORD", seeded_with)
    # The suite's browser follows redirects to the portal: they must name the gateway in the network.
    for name in ("gateway", "identity", "payment", "payment-reconcile"):
        base_url = stack_services[name]["environment"].get("PORTAL_BASE_URL", "")
        if url_of_service(base_url) != ("gateway", 8000):
            problems.append(f"{name}: PORTAL_BASE_URL {base_url!r} is not the gateway as the runner reaches it")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the vendor's CSD

def test_billing_stamper_starts_with_the_vendor_csd_made_before_it_and_the_pac_up():
    stamper, maker = services()["billing-stamper"], services()["vendor-csd"]
    depends = stamper.get("depends_on", {})
    assert depends.get("vendor-csd", {}).get("condition") == "service_completed_successfully"
    assert depends.get("pac-simulator", {}).get("condition") == "service_healthy"
    assert maker.get("restart") == "no", "vendor-csd is a one-shot"
    assert urlparse(stamper["environment"]["PAC_URL"]) == urlparse("http://pac-simulator:8201")
    assert "127.0.0.1:8201/healthz" in " ".join(services()["pac-simulator"]["healthcheck"]["test"])

    def mounts(service) -> dict[str, tuple[str, bool]]:
        """Volume name -> (where, read-only), from the long syntax docker-compose config writes."""
        found = {}
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                found[volume["source"]] = (volume["target"], bool(volume.get("read_only")))
            else:
                source, target, *mode = str(volume).split(":")
                found[source] = (target, mode == ["ro"])
        return found

    [(volume, (target, read_only))] = [(v, m) for v, m in mounts(stamper).items() if v.endswith("vendor-csd")]
    assert read_only, "billing-stamper must mount the CSD read-only"
    written = dict(mounts(maker))[volume][0]
    command = maker["command"]
    option = dict(zip(command[1::2], command[2::2]))
    assert command[0] == "pac-simulator-make-csd" and option["--out"] == written
    environment = stamper["environment"]
    assert environment["CSD_CERTIFICATE_PATH"] == f"{target}/csd.cer"
    assert environment["CSD_KEY_PATH"] == f"{target}/csd.key"
    assert environment["CSD_KEY_PASSWORD"] == option["--password"]
    # billing-stamper refuses a CSD of another RFC than VENDOR_RFC (billing's default unless set).
    from billing_service.config import DEFAULT_VENDOR_RFC

    assert option["--rfc"] == environment.get("VENDOR_RFC", DEFAULT_VENDOR_RFC)
