"""The pac-simulator console script: serves the PAC, keeps stamps and its certificate in a file, stops on SIGTERM."""
from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import requests
from lxml import etree

BIN = Path(sys.executable).parent / "pac-simulator"
TFD = "{http://www.sat.gob.mx/cfd/4}Complemento/{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"
AUTH = {"Authorization": "Basic " + base64.b64encode(b"portal-demo:dev-pac-password").decode(),
        "Content-Type": "application/xml"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, database: Path, log: Path) -> subprocess.Popen:
    # The defaults of settings.py, whatever the machine's environment says.
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PAC_")}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN), "--port", str(port), "--database", str(database)],
            stdout=out, stderr=subprocess.STDOUT, env=environment,
        )
    healthy = {"status": "ok", "pac_rfc": "PSM2612079T1", "version": version("pac-simulator")}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json() == healthy:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.kill()
    raise AssertionError(f"pac-simulator did not start:\n{log.read_text()}")


def stop(process: subprocess.Popen, log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0, log.read_text()


def test_stamps_and_the_stamping_certificate_survive_a_restart(tmp_path, sealed):
    port, database, log = free_port(), tmp_path / "pac.db", tmp_path / "pac.log"
    xml = sealed()
    process = serve(port, database, log)
    try:
        stamped = requests.post(f"http://127.0.0.1:{port}/api/v1/stamp", data=xml, headers=AUTH, timeout=10)
        assert stamped.status_code == 200, stamped.text
        timbre = etree.fromstring(stamped.content).find(TFD)
    finally:
        stop(process, log)

    process = serve(port, database, log)
    try:
        again = requests.post(f"http://127.0.0.1:{port}/api/v1/stamp", data=xml, headers=AUTH, timeout=10)
        assert (again.status_code, again.json()["uuid"]) == (409, timbre.get("UUID"))
        certificate = requests.get(f"http://127.0.0.1:{port}/api/v1/certificates/{timbre.get('NoCertificadoSAT')}",
                                   timeout=5)
        assert certificate.status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/api/v1/stamps/{timbre.get('UUID')}", headers=AUTH,
                            timeout=5).content == stamped.content
    finally:
        stop(process, log)
