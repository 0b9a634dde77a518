"""deploy/run, the one-line local start: closing its terminal (SIGHUP) stops every process it
started, at whatever moment, so the next deploy/run finds its ports free."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from stack import wait_until

ROOT = Path(__file__).resolve().parents[2]
PORTS = (8000, 8001, 8002, 8003, 8004, 8101, 8102, 8201, 1025, 8025)


def port_busy(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> set[int]:
    """Every process below pid (children in sessions of their own included), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("moment", ["while starting", "while running"])
def test_sighup_stops_every_process_the_runner_started(tmp_path, moment):
    busy = [port for port in PORTS if port_busy(port)]
    assert not busy, f"ports {busy} are taken (a deploy/run or development stack?): this test starts deploy/run on them"
    log = tmp_path / "runner.out"
    env = {**os.environ, "DEMO_PASSWORD": "Portal-Demo-2026"}
    runner = subprocess.Popen([sys.executable, str(ROOT / "deploy/local/runner.py"), "--var", str(tmp_path / "var")],
                              cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    seen: set[int] = set()
    try:
        if moment == "while starting":
            # As soon as the gateway (started last) is up, before the demo data is fed.
            wait_until(lambda: port_busy(8000) or runner.poll() is not None, timeout=180, interval=0.2,
                       what="the runner to start its processes")
        else:
            wait_until(lambda: b"The portal is running" in log.read_bytes() or runner.poll() is not None,
                       timeout=600, interval=0.5, what="the runner to finish starting")
        assert runner.poll() is None, f"the runner stopped by itself:\n{log.read_text()[-3000:]}"
        seen = descendants(runner.pid)
        assert len(seen) >= 17, f"expected every web tier, relay, consumer and mailer, found {len(seen)} processes"

        runner.send_signal(signal.SIGHUP)
        assert runner.wait(timeout=120) == 0, log.read_text()[-3000:]
        # Its children were stopped and waited for before it exited: none may be left, now.
        left = {pid: command_line(pid) for pid in sorted(seen) if alive(pid)}
        assert not left, f"processes left behind after SIGHUP: {left}\n{log.read_text()[-2000:]}"
        assert not [port for port in PORTS if port_busy(port)], "a port is still held after SIGHUP"
    finally:
        if runner.poll() is None:
            runner.kill()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
