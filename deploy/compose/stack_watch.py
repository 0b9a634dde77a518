"""Watches a Compose project's containers through `docker inspect`, for deploy/compose-test.

  stack_watch.py ready PROJECT --exclude tests     wait until every container is ready
  stack_watch.py record PROJECT STATE_FILE         remember each container's start and restarts
  stack_watch.py unchanged PROJECT STATE_FILE      fail if any of them restarted or stopped since

Ready: a long-running container is running, not restarting, with no restart so far, and healthy
where it has a health check; a one-shot (restart policy "no") has exited with status 0. A
container that exits, restarts, turns unhealthy or a one-shot that fails ends the wait at once,
naming it. The wait is bounded by progress: it gives up only when no container has become ready
for --stall-seconds, however long the whole start takes on a loaded machine.
Works with the containers of docker-compose 1.29 and of `docker compose` v2 alike (both label
them com.docker.compose.project / .service). Standard library only: it runs with the host's python3.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONE_OFF_LABEL = "com.docker.compose.oneoff"


@dataclass(frozen=True)
class Container:
    id: str
    name: str
    service: str
    one_shot: bool
    status: str          # created, running, restarting, exited, dead, ...
    exit_code: int
    health: str | None   # starting, healthy, unhealthy, or None without a health check
    restarts: int
    started_at: str

    def problem(self) -> str | None:
        """Why this container can no longer become ready, or None."""
        if self.one_shot:
            if self.status in ("exited", "dead") and self.exit_code != 0:
                return f"{self.service}: one-shot exited with status {self.exit_code}"
            return None
        if self.restarts > 0 or self.status == "restarting":
            return f"{self.service}: restarted {self.restarts} time(s) (status {self.status}, last exit {self.exit_code})"
        if self.status in ("exited", "dead"):
            return f"{self.service}: exited with status {self.exit_code}"
        if self.health == "unhealthy":
            return f"{self.service}: unhealthy"
        return None

    def ready(self) -> bool:
        if self.one_shot:
            return self.status == "exited" and self.exit_code == 0
        return self.status == "running" and self.health in (None, "healthy") and self.restarts == 0


def containers(project: str, exclude: frozenset[str] = frozenset()) -> list[Container]:
    ids = subprocess.run(
        ["docker", "ps", "--all", "--quiet", "--no-trunc", "--filter", f"label={PROJECT_LABEL}={project}"],
        check=True, capture_output=True, text=True,
    ).stdout.split()
    if not ids:
        return []
    found = []
    for item in json.loads(subprocess.run(["docker", "inspect", *ids], check=True, capture_output=True, text=True).stdout):
        labels = item["Config"].get("Labels") or {}
        service = labels.get(SERVICE_LABEL, item["Name"].lstrip("/"))
        # `run` containers (the test runner) are the caller's business, not the stack's.
        if service in exclude or labels.get(ONE_OFF_LABEL, "False") == "True":
            continue
        state = item["State"]
        policy = (item["HostConfig"].get("RestartPolicy") or {}).get("Name") or "no"
        found.append(Container(
            id=item["Id"], name=item["Name"].lstrip("/"), service=service, one_shot=policy == "no",
            status=state["Status"], exit_code=int(state.get("ExitCode") or 0),
            health=(state.get("Health") or {}).get("Status"),
            restarts=int(item.get("RestartCount") or 0), started_at=state.get("StartedAt", ""),
        ))
    return sorted(found, key=lambda c: c.service)


def wait_ready(project: str, exclude: frozenset[str], stall_seconds: float, poll_seconds: float = 2.0) -> int:
    ready_before: set[str] = set()
    last_progress = time.monotonic()
    while True:
        now = containers(project, exclude)
        if not now:
            print(f"stack_watch: project {project} has no containers", file=sys.stderr)
            return 1
        problems = [p for c in now if (p := c.problem())]
        if problems:
            print("stack_watch: the stack did not come up:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        ready = {c.service for c in now if c.ready()}
        if ready - ready_before:
            last_progress = time.monotonic()
            ready_before |= ready
        waiting = sorted(c.service for c in now if not c.ready())
        if not waiting:
            print(f"stack_watch: {len(now)} containers ready")
            return 0
        if time.monotonic() - last_progress > stall_seconds:
            print(f"stack_watch: nothing became ready for {stall_seconds:.0f} s; still waiting for: "
                  + ", ".join(f"{c.service} ({c.status}, {c.health or 'no health check'})" for c in now if not c.ready()),
                  file=sys.stderr)
            return 1
        time.sleep(poll_seconds)


def record(project: str, state_file: str, exclude: frozenset[str]) -> int:
    state = {c.name: {"id": c.id, "restarts": c.restarts, "started_at": c.started_at}
             for c in containers(project, exclude) if not c.one_shot}
    with open(state_file, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1)
    return 0


def unchanged(project: str, state_file: str, exclude: frozenset[str]) -> int:
    with open(state_file, encoding="utf-8") as source:
        before = json.load(source)
    now = {c.name: c for c in containers(project, exclude) if not c.one_shot}
    problems = []
    for name, seen in sorted(before.items()):
        container = now.get(name)
        if container is None:
            problems.append(f"{name}: gone")
        elif container.id != seen["id"]:
            problems.append(f"{name}: replaced by another container")
        elif container.restarts != seen["restarts"] or container.started_at != seen["started_at"]:
            problems.append(f"{name}: restarted during the run ({container.restarts} restart(s), last exit {container.exit_code})")
        elif container.status != "running":
            problems.append(f"{name}: {container.status} (exit {container.exit_code})")
        elif container.health == "unhealthy":
            problems.append(f"{name}: unhealthy")
    if problems:
        print("stack_watch: service containers did not stay up:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"stack_watch: {len(before)} service containers stayed up, none restarted")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["ready", "record", "unchanged"])
    parser.add_argument("project")
    parser.add_argument("state_file", nargs="?")
    parser.add_argument("--exclude", action="append", default=[], help="a service to leave out (repeatable)")
    parser.add_argument("--stall-seconds", type=float, default=600.0)
    args = parser.parse_args(argv)
    exclude = frozenset(args.exclude)
    if args.action == "ready":
        return wait_ready(args.project, exclude, args.stall_seconds)
    if not args.state_file:
        parser.error(f"{args.action} needs STATE_FILE")
    if args.action == "record":
        return record(args.project, args.state_file, exclude)
    return unchanged(args.project, args.state_file, exclude)


if __name__ == "__main__":
    sys.exit(main())
