"""The bank-simulator console script: serves one bank, keeps its state in a file, stops on SIGTERM."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import requests

BIN = Path(sys.executable).parent / "bank-simulator"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(bank: str, port: int, database: Path, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN), bank, "--port", str(port), "--database", str(database)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ},
        )
    healthy = {"status": "ok", "bank": bank, "version": version("bank-simulator")}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json() == healthy:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"bank-simulator did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen, log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0, log.read_text()


def test_state_survives_a_restart(tmp_path):
    port, database, log = free_port(), tmp_path / "bbva.db", tmp_path / "sim.log"
    process = serve("bbva", port, database, log)
    try:
        created = requests.post(f"http://127.0.0.1:{port}/api/payments", json={
            "reference": "P9", "amount": "10.00", "currency": "MXN", "concept": "c",
            "return_url": "http://x.test/r", "notify_url": "http://127.0.0.1:1/n",
        }, timeout=5).json()
        assert created["redirect_url"] == f"http://127.0.0.1:{port}/pay/{created['bank_payment_id']}"
        requests.post(created["redirect_url"], data={"outcome": "approve_without_notice", "email": "a@b.mx",
                                                     "phone": "5512345678"}, allow_redirects=False, timeout=5)
    finally:
        stop(process, log)

    process = serve("bbva", port, database, log)
    try:
        known = requests.get(f"http://127.0.0.1:{port}/api/payments/{created['bank_payment_id']}", timeout=5).json()
        assert known["status"] == "approved" and known["bank_reference"].startswith("BBVA-MP ")
    finally:
        stop(process, log)
