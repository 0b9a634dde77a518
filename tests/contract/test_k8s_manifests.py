"""deploy/k8s renders offline, every object is valid Kubernetes, and the house rules hold.

Each target (the base and both overlays) is rendered with `kubectl kustomize` (Kustomize v5, no
cluster needed) and every object is validated against the Kubernetes 1.32 JSON schemas that
kubernetes-validate ships, strictly: an unknown or misspelt field fails. The rules below are
then checked on the rendered objects, so they hold for what would really be applied.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.32.0"
TARGETS = {"base": K8S / "base", "dev": K8S / "overlays" / "dev", "prod": K8S / "overlays" / "prod"}
OVERLAYS = ("dev", "prod")

# app.kubernetes.io/name -> (package folder, image, Python package); the four own a database.
SERVICES = {
    "identity": ("identity-service", "portal/identity-service", "identity_service"),
    "billing": ("billing-service", "portal/billing-service", "billing_service"),
    "payment": ("payment-service", "portal/payment-service", "payment_service"),
    "servicedesk": ("servicedesk-service", "portal/servicedesk-service", "servicedesk_service"),
    "gateway": ("gateway", "portal/gateway", "portal_gateway"),
}
DATABASE_SERVICES = ("identity", "billing", "payment", "servicedesk")
PORTS = {"gateway": 8000, "identity": 8001, "billing": 8002, "payment": 8003, "servicedesk": 8004}
# The bank simulators and the PAC simulator are in the dev overlay only.
SIMULATORS = {"bank-citibanamex": ("bank-simulator", "portal/bank-simulator"),
              "bank-bbva": ("bank-simulator", "portal/bank-simulator"),
              "pac-simulator": ("pac-simulator", "portal/pac-simulator")}
# dev's billing-stamper makes its demo CSD with the PAC simulator's image (an init container):
# the one container that runs another image than its workload's.
DEMO_CSD_MAKER = ("billing-stamper", "make-demo-csd", "pac-simulator")
# Where each web app's health endpoints are declared.
HEALTH_SOURCES = {
    **{name: ROOT / "shared/src/portal_shared/web/health.py" for name in DATABASE_SERVICES},
    "gateway": ROOT / "gateway/src/portal_gateway/local_api.py",
    "bank-citibanamex": ROOT / "bank-simulator/src/bank_simulator/__init__.py",
    "bank-bbva": ROOT / "bank-simulator/src/bank_simulator/__init__.py",
    "pac-simulator": ROOT / "pac-simulator/src/pac_simulator/__init__.py",
}
# Readiness is /readyz (database and broker) except where the app has none, and the gateway,
# whose /readyz fails when any one service is down: it must stay in service to answer 503 for
# that service's routes and serve the rest, so only its session store decides (deploy/k8s/README.md).
READINESS = {"gateway": "/readyz/session-store", "bank-citibanamex": "/healthz", "bank-bbva": "/healthz",
             "pac-simulator": "/healthz"}
INGRESS_CONTROLLER = {"kubernetes.io/metadata.name": "ingress-nginx"}
# Where each overlay's Prometheus runs: (namespace labels, pod labels) of the scraper.
MONITORING = {
    "dev": ({"kubernetes.io/metadata.name": "monitoring"}, {"app.kubernetes.io/name": "prometheus"}),
    "prod": ({"kubernetes.io/metadata.name": "monitoring"}, {"app.kubernetes.io/name": "prometheus"}),
}
# The processes that serve their counters on METRICS_PORT (portal_shared.messaging's runner);
# billing's stamper is a relay of its own channel.
METRICS_COMPONENTS = ("relay", "consumer", "mailer", "stamper")
# The four services' worker processes are all made from this one Kustomize component: each service
# lists the roles it runs (components/worker/<role>) and then the component; the Deployment they
# are copies of carries this annotation.
WORKER_COMPONENT = K8S / "components" / "worker"
WORKER_MARK = ("customer-portal/template", "worker")
PLACEHOLDER_NETWORK = "192.0.2."


# ------------------------------------------------------------------ rendering

def kubectl() -> str:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail(
            "kubectl is not installed, so deploy/k8s cannot be rendered: install the kubectl client "
            "(1.27 or newer: it carries Kustomize v5; Debian/Ubuntu: the Kubernetes apt repository's "
            "kubectl package) and run again. No cluster is needed."
        )
    return binary


@cache
def render(path: Path) -> tuple[dict[str, Any], ...]:
    result = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize {path.relative_to(ROOT)} failed:\n{result.stderr}"
    return tuple(document for document in yaml.safe_load_all(result.stdout) if document)


def rendered(target: str) -> tuple[dict[str, Any], ...]:
    return render(TARGETS[target])


def of_kind(objects, kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def name_of(obj: dict[str, Any]) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def app_of(obj: dict[str, Any]) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/name", "")


def component_of(obj: dict[str, Any]) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def workloads(objects) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] in ("Deployment", "Job")]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def all_containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def web_deployments(objects) -> list[dict[str, Any]]:
    return [d for d in of_kind(objects, "Deployment") if component_of(d) == "web"]


def config_maps(objects) -> dict[str, dict[str, str]]:
    return {c["metadata"]["name"]: c.get("data", {}) for c in of_kind(objects, "ConfigMap")}


def environment(objects, container: dict[str, Any]) -> dict[str, str]:
    """The container's variables as Kubernetes sets them (secret values left as markers)."""
    maps = config_maps(objects)
    values: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            values.update(maps.get(source["configMapRef"]["name"], {}))
    for variable in container.get("env", []):
        if "value" in variable:
            values[variable["name"]] = variable["value"]
        else:
            ref = variable["valueFrom"].get("secretKeyRef") or variable["valueFrom"].get("configMapKeyRef")
            values[variable["name"]] = f"<{ref['name']}/{ref['key']}>"
    return values


@pytest.fixture(params=list(TARGETS))
def target(request) -> str:
    return request.param


@pytest.fixture(params=OVERLAYS)
def overlay(request) -> str:
    return request.param


# ------------------------------------------------------------------ schema validation

def schema_errors(objects) -> list[str]:
    import kubernetes_validate

    errors = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.caught.absolute_path)
            errors.append(f"{name_of(obj)}: {path}: {exc.caught.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{name_of(obj)}: no Kubernetes {KUBERNETES_VERSION} schema for {obj['apiVersion']} {obj['kind']}")
    return errors


def test_every_rendered_object_is_valid_kubernetes(target):
    objects = rendered(target)
    assert objects, f"{target} renders no object"
    errors = schema_errors(objects)
    assert not errors, f"{target}: objects the Kubernetes {KUBERNETES_VERSION} schemas refuse:\n" + "\n".join(errors)


@pytest.mark.parametrize("service", [*SERVICES, "common"])
def test_each_service_folder_renders_on_its_own(service):
    objects = render(K8S / "base" / service)
    assert not schema_errors(objects)
    if service != "common":
        assert {app_of(o) for o in objects if o["kind"] != "ConfigMap"} == {service}


def test_each_overlay_sets_its_namespace_with_the_restricted_pod_security_profile(overlay):
    objects = rendered(overlay)
    [namespace] = of_kind(objects, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    outside = [name_of(o) for o in objects if o["kind"] != "Namespace"
               and o["metadata"].get("namespace") != namespace["metadata"]["name"]]
    assert not outside, f"objects outside {namespace['metadata']['name']}: {outside}"


# ------------------------------------------------------------------ containers

def dockerfile_user(dockerfile: Path) -> tuple[int, int | None]:
    lines = [line.split(None, 1)[1].strip() for line in dockerfile.read_text().splitlines()
             if line.startswith("USER ")]
    assert lines, f"{dockerfile} names no USER"
    user, _, group = lines[-1].partition(":")
    return int(user), int(group) if group else None


def dockerfile_of(app: str) -> Path:
    """The portal's packages share one Dockerfile; the bank and PAC simulators have their own."""
    return SERVICE_DOCKERFILE if app in SERVICES else ROOT / SIMULATORS[app][0] / "Dockerfile"


def test_every_container_runs_non_root_read_only_with_no_capabilities(target):
    problems = []
    for workload in workloads(rendered(target)):
        pod = pod_spec(workload).get("securityContext", {})
        uid, gid = dockerfile_user(dockerfile_of(app_of(workload)))
        for container in all_containers(workload):
            where = f"{name_of(workload)} container {container['name']}"
            context = container.get("securityContext", {})

            def effective(key: str):
                return context.get(key, pod.get(key))

            if effective("runAsNonRoot") is not True:
                problems.append(f"{where}: runAsNonRoot is not true")
            if effective("runAsUser") != uid:
                problems.append(f"{where}: runAsUser {effective('runAsUser')}, the Dockerfile's user is {uid}")
            if gid is not None and effective("runAsGroup") != gid:
                problems.append(f"{where}: runAsGroup {effective('runAsGroup')}, the Dockerfile's group is {gid}")
            if context.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: root filesystem is writable")
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if context.get("capabilities", {}).get("drop") != ["ALL"] or context.get("capabilities", {}).get("add"):
                problems.append(f"{where}: capabilities are not drop ALL")
            if (effective("seccompProfile") or {}).get("type") != "RuntimeDefault":
                problems.append(f"{where}: seccompProfile is not RuntimeDefault")
            if context.get("privileged"):
                problems.append(f"{where}: privileged")
    assert not problems, "\n".join(problems)


def test_every_container_has_resource_requests_and_limits(target):
    problems = []
    for workload in workloads(rendered(target)):
        for container in all_containers(workload):
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(kind, {}):
                        problems.append(f"{name_of(workload)} container {container['name']}: no {kind}.{resource}")
    assert not problems, "\n".join(problems)


def test_writable_paths_are_volumes(target):
    """/tmp (gunicorn's worker heartbeats, Python's temp files) and VAR_DIR are mounted volumes;
    identity's signing key is mounted from its Secret where JWT_PRIVATE_KEY_PATH says."""
    objects = rendered(target)
    problems = []
    for workload in workloads(objects):
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        for container in all_containers(workload):
            mounts = {m["mountPath"]: volumes.get(m["name"], {}) for m in container.get("volumeMounts", [])}
            where = f"{name_of(workload)} container {container['name']}"
            if "emptyDir" not in mounts.get("/tmp", {}):
                problems.append(f"{where}: /tmp is not an emptyDir")
            var_dir = environment(objects, container).get("VAR_DIR")
            if var_dir and "emptyDir" not in mounts.get(var_dir, {}):
                problems.append(f"{where}: VAR_DIR {var_dir} is not an emptyDir")
    [identity_web] = [d for d in web_deployments(objects) if app_of(d) == "identity"]
    container = pod_spec(identity_web)["containers"][0]
    key_path = Path(environment(objects, container)["JWT_PRIVATE_KEY_PATH"])
    volumes = {v["name"]: v for v in pod_spec(identity_web)["volumes"]}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    key_mount = mounts.get(str(key_path.parent))
    assert key_mount, f"identity-web: nothing mounted at {key_path.parent}"
    secret = volumes[key_mount["name"]].get("secret", {})
    assert secret.get("secretName") == "identity-secrets"
    assert key_path.name in [item["path"] for item in secret.get("items", [])]
    assert not problems, "\n".join(problems)


# The portal's own images (the four services and the gateway) are built by one Dockerfile, told
# which package by its build arguments; docker-compose.yml names each service's.
SERVICE_DOCKERFILE = ROOT / "deploy" / "service.Dockerfile"
IMAGE_ARGUMENTS = ("SERVICE", "DISTRIBUTION", "PACKAGE", "PORT")


def compose_build_args() -> dict[str, dict[str, str]]:
    """The build arguments docker-compose.yml gives each image it builds with SERVICE_DOCKERFILE, by image."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    found: dict[str, dict[str, str]] = {}
    for service in compose["services"].values():
        build = service.get("build")
        if isinstance(build, dict) and (ROOT / build.get("dockerfile", "")).resolve() == SERVICE_DOCKERFILE:
            image = service["image"].split(":")[0]
            args = {name: str(value) for name, value in (build.get("args") or {}).items()}
            assert found.setdefault(image, args) == args, f"{image} is built with two sets of arguments"
    return found


def test_the_portal_images_are_built_by_one_dockerfile_told_which_package():
    text = SERVICE_DOCKERFILE.read_text()
    # Every package argument is declared without a default: an image is always of one package.
    declared = dict(re.findall(r"(?m)^ARG (\w+)(?:=(.*))?$", text.split("\nFROM ", 1)[0]))
    assert {name: declared.get(name) for name in IMAGE_ARGUMENTS} == dict.fromkeys(IMAGE_ARGUMENTS, "")
    # No folder keeps a Dockerfile of its own beside the shared one.
    assert [folder for folder, _image, _package in SERVICES.values() if (ROOT / folder / "Dockerfile").exists()] == []
    built = compose_build_args()
    problems = []
    for app, (folder, image, package) in SERVICES.items():
        args = built.get(image)
        if args is None:
            problems.append(f"{image}: docker-compose.yml does not build it with {SERVICE_DOCKERFILE.name}")
            continue
        configs = {name: data for name, data in config_maps(render(K8S / "base" / app)).items()
                   if name.startswith(f"{app}-config")}
        [var_dir] = [data["VAR_DIR"] for data in configs.values()]
        expected = {"SERVICE": folder,
                    "DISTRIBUTION": tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]["name"],
                    "PACKAGE": package, "PORT": str(PORTS[app]), "VAR_DIR": var_dir}
        given = {name: args.get(name, declared.get(name)) for name in expected}
        if given != expected:
            problems.append(f"{image}: built with {given}, expected {expected}")
        if not (ROOT / folder / "src" / package / "__init__.py").is_file():
            problems.append(f"{image}: PACKAGE {package} is not a package of {folder}/src")
    # The shared library's steps come before the builder declares a package's argument, so they
    # stay the same in every image and the images share their layers.
    builder = text.split(" AS builder\n", 1)[1].split(" AS runtime\n", 1)[0]
    if builder.index("RUN pip wheel --wheel-dir /wheels ./shared") > builder.index("\nARG "):
        problems.append("the builder declares a package's ARG before the shared library's steps")
    # The bank simulator's image has a file of its own (no shared library, either bank) in the
    # same two stages.
    for dockerfile in (SERVICE_DOCKERFILE, ROOT / SIMULATORS["bank-citibanamex"][0] / "Dockerfile"):
        stages = re.findall(r"(?m)^FROM \$\{PYTHON_IMAGE\} AS (\w+)$", dockerfile.read_text())
        if stages != ["builder", "runtime"]:
            problems.append(f"{dockerfile.relative_to(ROOT)}: stages {stages}, expected builder then runtime")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ web tiers

def served_paths(app: str) -> set[str]:
    source = HEALTH_SOURCES[app].read_text()
    return set(re.findall(r"""\.(?:get|route)\(\s*["'](/[^"']*)["']""", source))


def test_web_tiers_probe_paths_they_serve(target):
    problems = []
    deployments = web_deployments(rendered(target))
    assert {app_of(d) for d in deployments} >= set(SERVICES)
    for deployment in deployments:
        app = app_of(deployment)
        served = served_paths(app)
        [container] = pod_spec(deployment)["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        expected = {"livenessProbe": "/healthz", "readinessProbe": READINESS.get(app, "/readyz")}
        for probe, path in expected.items():
            http = container.get(probe, {}).get("httpGet")
            if not http:
                problems.append(f"{name_of(deployment)}: no HTTP {probe}")
                continue
            if http["path"] != path or http["path"] not in served:
                problems.append(f"{name_of(deployment)}: {probe} on {http['path']}, expected {path} "
                                f"(the app serves {sorted(served)})")
            if http["port"] not in ports and http["port"] not in ports.values():
                problems.append(f"{name_of(deployment)}: {probe} on port {http['port']}, not a container port")
        if app in PORTS and PORTS[app] not in ports.values():
            problems.append(f"{name_of(deployment)}: does not listen on {PORTS[app]}")
    assert not problems, "\n".join(problems)


def test_web_tiers_have_a_service_an_autoscaler_and_a_disruption_budget(target):
    objects = rendered(target)
    problems = []
    for deployment in web_deployments(objects):
        name, labels = deployment["metadata"]["name"], deployment["spec"]["template"]["metadata"]["labels"]
        if not any(all(labels.get(k) == v for k, v in s["spec"]["selector"].items()) for s in of_kind(objects, "Service")):
            problems.append(f"{name}: no Service selects it")
        if app_of(deployment) not in SERVICES:
            continue  # the dev bank simulators run one pod
        if "replicas" in deployment["spec"]:
            problems.append(f"{name}: sets replicas, which every apply would force over the autoscaler's choice")
        hpas = [h for h in of_kind(objects, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == name]
        if len(hpas) != 1 or hpas[0]["apiVersion"] != "autoscaling/v2":
            problems.append(f"{name}: not exactly one autoscaling/v2 HorizontalPodAutoscaler")
        elif not 1 <= hpas[0]["spec"]["minReplicas"] <= hpas[0]["spec"]["maxReplicas"]:
            problems.append(f"{name}: autoscaler bounds {hpas[0]['spec']}")
        budgets = [p for p in of_kind(objects, "PodDisruptionBudget")
                   if all(labels.get(k) == v for k, v in p["spec"]["selector"]["matchLabels"].items())]
        if len(budgets) != 1:
            problems.append(f"{name}: {len(budgets)} PodDisruptionBudgets")
    assert not problems, "\n".join(problems)


def test_prod_web_tiers_run_at_least_three_pods_and_dev_at_least_one():
    for overlay, low in (("prod", 3), ("dev", 1)):
        for hpa in of_kind(rendered(overlay), "HorizontalPodAutoscaler"):
            assert hpa["spec"]["minReplicas"] == low, (overlay, hpa["metadata"]["name"])


def test_the_gateway_is_the_only_way_in(overlay):
    objects = rendered(overlay)
    [ingress] = [i for i in of_kind(objects, "Ingress") if app_of(i) == "gateway"]
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"gateway"}
    hosts = {overlay_: {r["host"] for i in of_kind(rendered(overlay_), "Ingress") if app_of(i) == "gateway"
                        for r in i["spec"]["rules"]} for overlay_ in OVERLAYS}
    assert hosts["dev"].isdisjoint(hosts["prod"]), f"dev and prod share an Ingress host: {hosts}"
    if overlay == "prod":
        assert ingress["spec"].get("tls"), "prod's Ingress has no TLS"
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in of_kind(objects, "Service"))


# ------------------------------------------------------------------ processes, images, migrations

def console_scripts(folder: str) -> set[str]:
    return set(tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"].get("scripts", {}))


def compose_processes() -> dict[str, list[str]]:
    """Every long-running process of the four services and the gateway in docker-compose.yml."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    processes = {}
    for name, service in services.items():
        command = service.get("command")
        image = service.get("image", "")
        if not command or not any(image.startswith(SERVICES[s][1] + ":") for s in SERVICES):
            continue
        if command[0].endswith(("-migrate", "-seed-demo")):  # one-shot steps: the migrate Jobs, local demo data
            continue
        processes[name] = command
    return processes


def test_every_process_of_the_compose_stack_has_a_deployment(target):
    commands = {name_of(d): pod_spec(d)["containers"][0]["command"] for d in of_kind(rendered(target), "Deployment")}
    missing = {name: command for name, command in compose_processes().items() if command not in commands.values()}
    assert len(compose_processes()) >= 15
    assert not missing, f"processes docker-compose.yml runs that no Deployment runs: {missing}"


def test_commands_are_console_scripts_or_the_web_app(target):
    problems = []
    for workload in workloads(rendered(target)):
        app = app_of(workload)
        if app not in SERVICES:
            continue
        folder, _, package = SERVICES[app]
        for container in all_containers(workload):
            # The demo CSD maker runs a script of the simulator whose image it is.
            maker = (workload["metadata"]["name"], container["name"]) == DEMO_CSD_MAKER[:2]
            scripts = console_scripts(SIMULATORS[DEMO_CSD_MAKER[2]][0] if maker else folder)
            command = container.get("command") or []
            if command[:1] == ["gunicorn"]:
                if command != ["gunicorn", "-c", f"python:{package}.gunicorn_conf", f"{package}:create_app()"]:
                    problems.append(f"{name_of(workload)}: gunicorn command {command}")
            elif command[:1] == ["python"]:
                if container["name"] != "wait-for-schema":
                    problems.append(f"{name_of(workload)}: runs python directly: {command}")
            elif command[:1] and command[0] not in scripts:
                problems.append(f"{name_of(workload)}: {command[0]} is not a console script of {folder}")
    assert not problems, "\n".join(problems)


def test_each_service_uses_its_own_image_only(target):
    problems = []
    for workload in workloads(rendered(target)):
        app = app_of(workload)
        for container in all_containers(workload):
            maker = (workload["metadata"]["name"], container["name"]) == DEMO_CSD_MAKER[:2]
            owner = DEMO_CSD_MAKER[2] if maker else app
            expected = SERVICES[owner][1] if owner in SERVICES else SIMULATORS[owner][1]
            repository = container["image"].split("@")[0].rsplit(":", 1)[0]
            if repository != expected and not repository.endswith("/" + expected):
                problems.append(f"{name_of(workload)} container {container['name']}: image {container['image']}, "
                                f"expected {expected}")
    assert not problems, "\n".join(problems)


def test_overlays_pin_every_service_image_with_a_tag(overlay):
    kustomization = yaml.safe_load((TARGETS[overlay] / "kustomization.yaml").read_text())
    entries = {entry["name"]: entry for entry in kustomization.get("images", [])}
    wanted = {image for _, image, _ in SERVICES.values()} | (
        {"portal/bank-simulator", "portal/pac-simulator"} if overlay == "dev" else set())
    problems = [f"no images: entry for {image}" for image in sorted(wanted - set(entries))]
    for image, entry in entries.items():
        tag = str(entry.get("newTag", ""))
        if not (tag or entry.get("digest")) or tag == "latest":
            problems.append(f"{image}: tag {tag!r}")
    for workload in workloads(rendered(overlay)):
        for container in all_containers(workload):
            image = container["image"]
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if "@sha256:" not in image and (not tag or tag == "latest"):
                problems.append(f"{name_of(workload)}: image {image} is not pinned")
    assert not problems, "\n".join(problems)


def kustomization(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "kustomization.yaml").read_text())


def placed_values(node) -> list[str]:
    """Every string a manifest sets, but the names of environment variables (VAR_DIR is one)."""
    if isinstance(node, dict):
        variable = "value" in node or "valueFrom" in node
        return [s for key, value in node.items() if not (variable and key == "name") for s in placed_values(value)]
    if isinstance(node, list):
        return [s for item in node for s in placed_values(item)]
    return [node] if isinstance(node, str) else []


def test_the_services_workers_come_from_the_one_worker_component(target):
    """Every relay, consumer, mailer and reconcile of the four services is made from
    components/worker: each service's folder says which roles it runs and holds no Deployment but
    its web tier's, and the component left none of its placeholders behind. (gateway-revocations
    is the gateway's own: no database, so no schema wait, and Redis rather than PostgreSQL.)"""
    objects = rendered(target)
    key, value = WORKER_MARK
    problems = []
    for app in DATABASE_SERVICES:
        folder = K8S / "base" / app
        components = [str((folder / c).resolve().relative_to(K8S)) for c in kustomization(folder).get("components", [])]
        if not components or components[-1] != "components/worker":
            problems.append(f"base/{app}: components/worker is not its last component ({components})")
        roles = [c.removeprefix("components/worker/") for c in components if c.startswith("components/worker/")]
        unknown = [r for r in roles if not (WORKER_COMPONENT / r / "kustomization.yaml").is_file()]
        if unknown:
            problems.append(f"base/{app}: not roles of components/worker: {unknown}")
        for path in sorted(folder.glob("*.y*ml")):
            for document in yaml.safe_load_all(path.read_text()):
                if document and document.get("kind") == "Deployment" and component_of(document) != "web":
                    problems.append(f"base/{app}/{path.name}: a worker Deployment of its own ({document['metadata']['name']})")
        workers = sorted(d["metadata"]["name"] for d in of_kind(objects, "Deployment")
                         if app_of(d) == app and component_of(d) != "web")
        if workers != sorted(f"{app}-{role}" for role in roles):
            problems.append(f"{app}: renders the workers {workers}, its kustomization lists the roles {roles}")
    placeholder = re.compile(r"(?<![A-Za-z_])(SERVICE|ROLE|IMAGE|PACKAGE|VAR_DIR)(?![A-Za-z_])")
    for deployment in of_kind(objects, "Deployment"):
        marked = deployment["metadata"].get("annotations", {}).get(key) == value
        worker = app_of(deployment) in DATABASE_SERVICES and component_of(deployment) != "web"
        if marked != worker:
            problems.append(f"{name_of(deployment)}: {key}={value} {'on a' if marked else 'missing from the'} "
                            f"{component_of(deployment)} Deployment")
        left = sorted({m.group(1) for text in placed_values(deployment) for m in placeholder.finditer(text)})
        if left:
            problems.append(f"{name_of(deployment)}: placeholders of components/worker left in it: {left}")
        if not worker:
            continue
        role, name = component_of(deployment), deployment["metadata"]["name"]
        [container] = pod_spec(deployment)["containers"]
        if (name, container["name"], container["command"]) != (f"{app_of(deployment)}-{role}", role, [name]):
            problems.append(f"{name_of(deployment)}: container {container['name']} runs {container['command']}")
        if deployment["spec"]["selector"]["matchLabels"] != {k: pod_labels(deployment)[k] for k in
                                                              ("app.kubernetes.io/name", "app.kubernetes.io/component")}:
            problems.append(f"{name_of(deployment)}: selector {deployment['spec']['selector']}")
    values = [name_of(o) for o in objects if o["kind"] == "WorkerValues"]
    if values:
        problems.append(f"the workers' values are rendered (they are local config): {values}")
    assert not problems, "\n".join(problems)


def test_processes_start_only_once_their_schema_is_migrated(target):
    objects = rendered(target)
    jobs = {j["metadata"]["name"]: j for j in of_kind(objects, "Job")}
    problems = []
    for app in DATABASE_SERVICES:
        job = jobs.get(f"{app}-migrate")
        if job is None:
            problems.append(f"no Job {app}-migrate")
        elif pod_spec(job)["containers"][0]["command"] != [f"{app}-migrate"]:
            problems.append(f"Job {app}-migrate runs {pod_spec(job)['containers'][0]['command']}")
        elif pod_spec(job)["restartPolicy"] != "Never" or "ttlSecondsAfterFinished" not in job["spec"]:
            problems.append(f"Job {app}-migrate: restartPolicy Never and a ttlSecondsAfterFinished expected")
    for deployment in of_kind(objects, "Deployment"):
        app = app_of(deployment)
        if app not in DATABASE_SERVICES:
            continue
        spec = pod_spec(deployment)
        waits = [c for c in spec.get("initContainers", []) if c["name"] == "wait-for-schema"]
        if not waits:
            problems.append(f"{name_of(deployment)}: no wait-for-schema init container")
            continue
        [wait] = waits
        variables = environment(objects, wait)
        if variables.get("SERVICE_PACKAGE") != SERVICES[app][2] or variables.get("DATABASE_URL") != f"<{app}-secrets/DATABASE_URL>":
            problems.append(f"{name_of(deployment)}: wait-for-schema checks {variables}")
        volumes = {v["name"]: v for v in spec["volumes"]}
        script = Path(wait["command"][-1])
        mount = [m for m in wait["volumeMounts"] if m["mountPath"] == str(script.parent)]
        if not mount or not volumes[mount[0]["name"]].get("configMap", {}).get("name", "").startswith("portal-schema-wait"):
            problems.append(f"{name_of(deployment)}: {script} is not mounted from the portal-schema-wait ConfigMap")
    assert not problems, "\n".join(problems)


def test_referenced_config_maps_exist(target):
    objects = rendered(target)
    names = set(config_maps(objects))
    problems = []
    for workload in workloads(objects):
        for container in all_containers(workload):
            for source in container.get("envFrom", []):
                if "configMapRef" in source and source["configMapRef"]["name"] not in names:
                    problems.append(f"{name_of(workload)}: ConfigMap {source['configMapRef']['name']} is not rendered")
        for volume in pod_spec(workload).get("volumes", []):
            if "configMap" in volume and volume["configMap"]["name"] not in names:
                problems.append(f"{name_of(workload)}: ConfigMap {volume['configMap']['name']} is not rendered")
    assert not problems, "\n".join(problems)


def test_service_urls_are_in_cluster_names(target):
    objects = rendered(target)
    services = {s["metadata"]["name"]: s["spec"]["ports"][0]["port"] for s in of_kind(objects, "Service")}
    problems = []
    for name, data in config_maps(objects).items():
        for key, value in data.items():
            if key.endswith("_URL") and value.startswith("http://"):
                host, _, port = value[len("http://"):].split("/", 1)[0].partition(":")
                if "." in host:
                    continue  # public names (PORTAL_BASE_URL); in-cluster ones are the Services' own
                if services.get(host) != int(port or 80):
                    problems.append(f"{name}: {key}={value} names no Service of the render")
    assert not problems, "\n".join(problems)


def test_prod_queues_are_quorum():
    objects = rendered("prod")
    problems = []
    for workload in workloads(objects):
        for container in all_containers(workload):
            variables = environment(objects, container)
            if "AMQP_URL" in variables and variables.get("QUEUE_TYPE") != "quorum":
                problems.append(f"{name_of(workload)} container {container['name']}: QUEUE_TYPE {variables.get('QUEUE_TYPE')}")
    consumers = [d for d in of_kind(objects, "Deployment") if component_of(d) == "consumer"]
    assert len(consumers) == 5  # identity, billing, payment, servicedesk, gateway-revocations
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ secrets

def test_no_secret_with_data_is_committed(target):
    secrets = [name_of(o) for o in rendered(target) if o["kind"] == "Secret"]
    assert not secrets, f"{target} renders Secrets: {secrets}; reference them, create them outside the repository"
    committed = [str(p.relative_to(ROOT)) for p in K8S.rglob("*.yaml") if re.search(r"(?m)^kind:\s*Secret\s*$", p.read_text())]
    generators = [str(p.relative_to(ROOT)) for p in K8S.rglob("kustomization.yaml") if "secretGenerator" in p.read_text()]
    assert not committed and not generators, f"Secret manifests or generators committed: {committed + generators}"


def secret_references(objects) -> set[tuple[str, str]]:
    references = set()
    for workload in workloads(objects):
        for container in all_containers(workload):
            for variable in container.get("env", []):
                ref = variable.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    references.add((ref["name"], ref["key"]))
        for volume in pod_spec(workload).get("volumes", []):
            if "secret" in volume:
                for item in volume["secret"].get("items", []):
                    references.add((volume["secret"]["secretName"], item["key"]))
    return references


# Secrets only one process of a service reads, beside the service's own: the vendor's CSD, which
# billing-stamper alone seals with.
PROCESS_SECRETS = {"billing-csd": "billing-stamper"}


def test_each_service_reads_only_its_own_secret(target):
    problems = []
    for workload in workloads(rendered(target)):
        app = app_of(workload)
        allowed = f"{app}-secrets" if app in SERVICES else "payment-secrets"  # the simulators share payment's bank secrets
        for name, key in secret_references([workload]):
            if name != allowed and PROCESS_SECRETS.get(name) != workload["metadata"]["name"]:
                problems.append(f"{name_of(workload)} reads {name}/{key}")
    assert not problems, "\n".join(problems)


def test_billing_stamper_reads_the_vendors_csd_from_its_secret_read_only():
    """base and prod: the CSD mounted from billing-csd where CSD_* say; dev: made by the init
    container into the volume that replaces the Secret, before billing-stamper starts."""
    for target in TARGETS:
        objects = rendered(target)
        [stamper] = [d for d in of_kind(objects, "Deployment") if d["metadata"]["name"] == "billing-stamper"]
        spec = pod_spec(stamper)
        [container] = spec["containers"]
        variables = environment(objects, container)
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        certificate, key = Path(variables["CSD_CERTIFICATE_PATH"]), Path(variables["CSD_KEY_PATH"])
        assert certificate.parent == key.parent, variables
        mount = mounts.get(str(certificate.parent))
        assert mount and mount.get("readOnly") is True, f"{target}: the CSD is not mounted read-only at {certificate.parent}"
        volume = volumes[mount["name"]]
        if target == "dev":
            assert "emptyDir" in volume and "secret" not in volume, volume
            [maker] = [c for c in spec.get("initContainers", []) if c["name"] == DEMO_CSD_MAKER[1]]
            option = dict(zip(maker["command"][1::2], maker["command"][2::2]))
            assert maker["command"][0] == "pac-simulator-make-csd"
            assert [m["mountPath"] for m in maker["volumeMounts"] if m["name"] == mount["name"]] == [option["--out"]]
            assert option["--out"] == str(certificate.parent)
            assert option["--rfc"] == variables["VENDOR_RFC"]
            assert variables["CSD_KEY_PASSWORD"] == option["--password"]
            assert variables["PAC_URL"] == "http://pac-simulator:8201"
        else:
            assert volume.get("secret", {}).get("secretName") == "billing-csd", volume
            files = {item["key"]: item["path"] for item in volume["secret"]["items"]}
            assert {files.get(certificate.name), files.get(key.name)} == {certificate.name, key.name}, files
            assert variables["CSD_KEY_PASSWORD"] == "<billing-csd/CSD_KEY_PASSWORD>"
            assert variables["PAC_URL"].startswith("https://")


def test_every_secret_key_is_documented(overlay):
    readme = (K8S / "README.md").read_text()
    undocumented = []
    for name, key in sorted(secret_references(rendered(overlay))):
        rows = [line for line in readme.splitlines() if f"`{name}`" in line and f"`{key}`" in line]
        if not rows:
            undocumented.append(f"{name}/{key}")
    assert not undocumented, f"deploy/k8s/README.md does not list these Secret keys with their Secret: {undocumented}"


# ------------------------------------------------------------------ network policies

def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


class Network:
    """Which pod may open which TCP port on which other pod, by the rendered NetworkPolicies."""

    def __init__(self, objects, namespace: str):
        self.policies = of_kind(objects, "NetworkPolicy")
        self.namespace = {"kubernetes.io/metadata.name": namespace}
        self.pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in workloads(objects)}

    def _selecting(self, labels, direction: str):
        return [p for p in self.policies
                if selector_matches(p["spec"]["podSelector"], labels) and direction in p["spec"]["policyTypes"]]

    @staticmethod
    def _port_matches(rule, port: int, protocol: str = "TCP") -> bool:
        ports = rule.get("ports")
        return not ports or any(p.get("protocol", "TCP") == protocol and p.get("port") in (None, port) for p in ports)

    def _peer_matches(self, peer, namespace_labels, pod_labels) -> bool:
        if "ipBlock" in peer:
            return False
        if "namespaceSelector" in peer:
            if not selector_matches(peer["namespaceSelector"], namespace_labels):
                return False
        elif namespace_labels != self.namespace:
            return False
        return "podSelector" not in peer or selector_matches(peer["podSelector"], pod_labels)

    def allows(self, source: str | dict | tuple[dict, dict], destination: str, port: int) -> bool:
        """source: a workload name of the render, or an outside client: its namespace's labels, or
        (namespace labels, pod labels)."""
        destination_labels = self.pods[destination]
        if isinstance(source, str):
            source_namespace, source_labels = self.namespace, self.pods[source]
            egress = self._selecting(source_labels, "Egress")
            if egress and not any(self._peer_matches(peer, self.namespace, destination_labels) and self._port_matches(rule, port)
                                  for policy in egress for rule in policy["spec"].get("egress", [])
                                  for peer in rule.get("to", [])):
                return False
        elif isinstance(source, tuple):
            source_namespace, source_labels = source
        else:
            source_namespace, source_labels = source, {}
        ingress = self._selecting(destination_labels, "Ingress")
        return not ingress or any(self._peer_matches(peer, source_namespace, source_labels) and self._port_matches(rule, port)
                                  for policy in ingress for rule in policy["spec"].get("ingress", [])
                                  for peer in rule.get("from", []))

    def external_egress(self, source: str, port: int, protocol: str = "TCP") -> list[dict[str, Any]]:
        """The peers outside the namespace the source may reach on that port."""
        return [peer for policy in self._selecting(self.pods[source], "Egress")
                for rule in policy["spec"].get("egress", []) if self._port_matches(rule, port, protocol)
                for peer in rule.get("to", []) if "ipBlock" in peer or "namespaceSelector" in peer]


def namespace_of(overlay: str) -> str:
    return of_kind(rendered(overlay), "Namespace")[0]["metadata"]["name"]


def test_a_network_policy_denies_everything_by_default(target):
    default_deny = [p for p in of_kind(rendered(target), "NetworkPolicy")
                    if p["spec"]["podSelector"] == {} and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
                    and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert default_deny, f"{target}: no NetworkPolicy selects every pod and allows nothing"


def test_network_policies_allow_what_the_architecture_needs_and_nothing_else(overlay):
    network = Network(rendered(overlay), namespace_of(overlay))
    web = {app: f"{app}-web" for app in SERVICES}
    allowed = [(INGRESS_CONTROLLER, web["gateway"], 8000)]
    allowed += [(web["gateway"], web[app], PORTS[app]) for app in DATABASE_SERVICES]
    allowed += [(web["servicedesk"], web[app], PORTS[app]) for app in ("identity", "billing", "payment")]
    allowed += [(web[app], web["identity"], 8001) for app in ("billing", "payment", "servicedesk")]  # JWKS
    denied = [(INGRESS_CONTROLLER, web[app], PORTS[app]) for app in DATABASE_SERVICES]
    denied += [(web["billing"], web["payment"], 8003), (web["payment"], web["billing"], 8002),
               (web["identity"], web["billing"], 8002), (web["servicedesk"], web["gateway"], 8000),
               ({"kubernetes.io/metadata.name": "elsewhere"}, web["gateway"], 8000)]
    workers = [name for name, labels in network.pods.items()
               if labels.get("app.kubernetes.io/component") not in ("web",) and labels.get("app.kubernetes.io/name") in SERVICES]
    denied += [(worker, web[app], PORTS[app]) for worker in workers for app in SERVICES]
    problems = [f"denied: {s} -> {d}:{p}" for s, d, p in allowed if not network.allows(s, d, p)]
    problems += [f"allowed: {s} -> {d}:{p}" for s, d, p in denied if network.allows(s, d, p)]
    assert not problems, "\n".join(problems)


def test_every_pod_reaches_dns_and_its_datastores_and_only_payment_the_banks(overlay):
    objects = rendered(overlay)
    network = Network(objects, namespace_of(overlay))
    problems = []
    for name, labels in network.pods.items():
        app, component = labels.get("app.kubernetes.io/name"), labels.get("app.kubernetes.io/component")
        dns = network.external_egress(name, 53, "UDP")
        if not any(p.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "kube-system"}
                   and p.get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"} for p in dns):
            problems.append(f"{name}: no DNS to kube-dns")
        needs = []
        if app in DATABASE_SERVICES:
            needs += [5432, 5672] if component in ("web", "relay", "consumer") else [5432]
        if component == "mailer":
            needs.append(587 if overlay == "prod" else 1025)
        if app == "gateway":
            needs.append(6379)  # the browser sessions' and the revocations' Redis
            if component == "consumer":
                needs.append(5672)
        elif network.external_egress(name, 6379):
            problems.append(f"{name}: may reach the gateway's session store")
        for port in needs:
            peers = network.external_egress(name, port)
            real = [p for p in peers if not p.get("ipBlock", {}).get("cidr", "").startswith(PLACEHOLDER_NETWORK)]
            if not real:
                problems.append(f"{name}: no way out to port {port} ({peers or 'nothing'})")
        banks = [p for p in network.external_egress(name, 443) if "ipBlock" in p]
        if (app, component) in (("payment", "web"), ("payment", "reconcile"), ("billing", "stamper")):
            if not banks:  # the banks, or billing-stamper's PAC
                problems.append(f"{name}: cannot reach the banks (the PAC) on 443")
        elif banks:
            problems.append(f"{name}: may reach {banks} on 443")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the schema wait itself

def run_wait(package: str, database_url: str, seconds: float) -> subprocess.CompletedProcess:
    script = K8S / "base" / "common" / "wait_for_schema.py"
    env = {"SERVICE_PACKAGE": package, "DATABASE_URL": database_url, "SCHEMA_WAIT_SECONDS": str(seconds),
           "SCHEMA_WAIT_INTERVAL_SECONDS": "0.5", "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)


def test_wait_for_schema_holds_until_the_migration_ran_then_lets_the_process_start():
    from portal_shared.testing.servers import temporary_database

    with temporary_database("k8s_schema_wait") as url:
        plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
        before = run_wait("billing_service", plain, 1.5)
        assert before.returncode == 1, before.stdout + before.stderr
        assert "no schema yet" in before.stderr
        migrated = subprocess.run([str(Path(sys.executable).parent / "billing-migrate")], env={"DATABASE_URL": plain},
                                  capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        after = run_wait("billing_service", plain, 30)
        assert after.returncode == 0, after.stdout + after.stderr
        assert "schema at" in after.stdout


# ------------------------------------------------------------------ metrics

def pod_annotations(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"].get("annotations", {})


def pod_labels(workload: dict[str, Any]) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def metrics_workers(objects) -> list[dict[str, Any]]:
    return [d for d in of_kind(objects, "Deployment") if component_of(d) in METRICS_COMPONENTS]


def scraped(objects) -> dict[str, int]:
    """Workload name -> the port its prometheus.io annotations ask Prometheus to scrape."""
    return {d["metadata"]["name"]: int(pod_annotations(d)["prometheus.io/port"])
            for d in workloads(objects) if pod_annotations(d).get("prometheus.io/scrape") == "true"}


def test_every_relay_consumer_and_mailer_serves_metrics_on_a_named_port(target):
    objects = rendered(target)
    workers = metrics_workers(objects)
    assert len(workers) == 13, sorted(d["metadata"]["name"] for d in workers)
    problems = []
    for deployment in workers:
        where = name_of(deployment)
        [container] = pod_spec(deployment)["containers"]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        variables = environment(objects, container)
        if "metrics" not in ports:
            problems.append(f"{where}: no container port named metrics ({ports})")
            continue
        if variables.get("METRICS_PORT") != str(ports["metrics"]):
            problems.append(f"{where}: METRICS_PORT {variables.get('METRICS_PORT')!r}, its metrics port is {ports['metrics']}")
        if variables.get("METRICS_HOST") != "0.0.0.0":
            problems.append(f"{where}: METRICS_HOST {variables.get('METRICS_HOST')!r}: only loopback would be served")
        annotations = pod_annotations(deployment)
        wanted = {"prometheus.io/scrape": "true", "prometheus.io/port": str(ports["metrics"]), "prometheus.io/path": "/metrics"}
        if any(annotations.get(k) != v for k, v in wanted.items()):
            problems.append(f"{where}: pod annotations {annotations}, expected {wanted}")
        if pod_labels(deployment).get("customer-portal/metrics") != "true":
            problems.append(f"{where}: not labelled customer-portal/metrics=true, so no policy lets the scrape in")
    assert not problems, "\n".join(problems)


def test_web_tiers_are_scraped_on_their_http_port(target):
    objects = rendered(target)
    problems = []
    for deployment in web_deployments(objects):
        app = app_of(deployment)
        if app not in SERVICES:
            continue  # the dev bank simulators serve no /metrics
        annotations = pod_annotations(deployment)
        [container] = pod_spec(deployment)["containers"]
        if app == "gateway":
            # Off loopback it answers /metrics only with METRICS_PUBLIC, and its Ingress routes
            # every path: scraping it would publish /metrics through the Ingress.
            public = environment(objects, container).get("METRICS_PUBLIC", "").lower() in ("1", "true", "yes", "on")
            if annotations.get("prometheus.io/scrape") == "true" or public:
                problems.append(f"{name_of(deployment)}: scraped or METRICS_PUBLIC while the Ingress routes /metrics to it")
            continue
        wanted = {"prometheus.io/scrape": "true", "prometheus.io/port": str(PORTS[app]), "prometheus.io/path": "/metrics"}
        if any(annotations.get(k) != v for k, v in wanted.items()):
            problems.append(f"{name_of(deployment)}: pod annotations {annotations}, expected {wanted}")
        if PORTS[app] not in [p["containerPort"] for p in container["ports"]]:
            problems.append(f"{name_of(deployment)}: the scraped port {PORTS[app]} is not a container port")
        if pod_labels(deployment).get("customer-portal/metrics") != "true":
            problems.append(f"{name_of(deployment)}: not labelled customer-portal/metrics=true")
    assert not problems, "\n".join(problems)


def test_the_monitoring_namespace_may_scrape_every_annotated_pod_and_nothing_else(overlay):
    objects = rendered(overlay)
    network = Network(objects, namespace_of(overlay))
    targets = scraped(objects)
    assert len(targets) == 17, sorted(targets)  # four web tiers, 13 relays, consumers, mailers and stamper
    monitoring = MONITORING[overlay]
    elsewhere = ({"kubernetes.io/metadata.name": "elsewhere"}, {"app.kubernetes.io/name": "prometheus"})
    other_pod = (monitoring[0], {"app.kubernetes.io/name": "grafana"})
    problems = [f"denied: monitoring -> {name}:{port}" for name, port in targets.items()
                if not network.allows(monitoring, name, port)]
    problems += [f"allowed: {elsewhere[0]} -> {name}:{port}" for name, port in targets.items()
                 if network.allows(elsewhere, name, port)]
    if overlay == "prod":
        problems += [f"allowed: a pod of monitoring that is not Prometheus -> {name}:{port}"
                     for name, port in targets.items() if network.allows(other_pod, name, port)]
    # Only what is scraped, on the scraped port: not the gateway, not the processes that serve none.
    unscraped = [name for name in network.pods if name not in targets]
    problems += [f"allowed: monitoring -> {name}:{port}" for name in unscraped for port in [*PORTS.values(), 9100]
                 if network.allows(monitoring, name, port)]
    # A web tier not on the processes' metrics port or the gateway's; a process on no web port.
    for name, scrape_port in targets.items():
        worker = network.pods[name].get("app.kubernetes.io/component") in METRICS_COMPONENTS
        closed = ({8000, 9100} | (set(PORTS.values()) if worker else set())) - {scrape_port}
        problems += [f"allowed: monitoring -> {name}:{port}" for port in sorted(closed) if network.allows(monitoring, name, port)]
    assert not problems, "\n".join(problems)


def test_the_base_admits_no_scraper_until_an_overlay_says_where_it_runs():
    policies = [p for p in of_kind(rendered("base"), "NetworkPolicy") if p["metadata"]["name"].startswith("allow-metrics-scrape")]
    assert len(policies) == 2, [p["metadata"]["name"] for p in policies]
    for overlay in OVERLAYS:
        network = Network(rendered("base"), namespace_of(overlay))
        leaked = [name for name, port in scraped(rendered("base")).items() if network.allows(MONITORING[overlay], name, port)]
        assert not leaked, f"the base alone lets {MONITORING[overlay]} scrape {leaked}"
    assert all(p["spec"]["policyTypes"] == ["Ingress"] for p in policies)
