"""pac-simulator-make-csd: writes a CSD pair satcfdi loads, and keeps a pair already there."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from satcfdi.models import Signer

BIN = Path(sys.executable).parent / "pac-simulator-make-csd"
RFC, NAME, PASSWORD = "PDM010101AB1", "PORTAL DEMO MEXICO", "clave-demo"


def make(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), "--rfc", RFC, "--name", NAME, "--password", PASSWORD, "--out", str(out)],
                          capture_output=True, text=True, timeout=60)


def test_writes_a_pair_satcfdi_loads_as_the_rfcs_csd(tmp_path):
    out = tmp_path / "csd"
    result = make(out)
    assert result.returncode == 0, result.stderr
    signer = Signer.load(certificate=(out / "csd.cer").read_bytes(), key=(out / "csd.key").read_bytes(),
                         password=PASSWORD)
    assert signer.rfc == RFC
    assert signer.legal_name == NAME
    assert sorted(p.name for p in out.iterdir()) == ["csd.cer", "csd.key"]
    assert (out / "csd.key").stat().st_mode & 0o077 == 0, "the key is readable by others"


def test_a_second_run_keeps_the_pair(tmp_path):
    assert make(tmp_path).returncode == 0
    before = {name: (tmp_path / name).read_bytes() for name in ("csd.cer", "csd.key")}
    again = make(tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Kept" in again.stdout
    assert {name: (tmp_path / name).read_bytes() for name in before} == before


def test_a_lone_file_is_replaced_by_a_whole_pair(tmp_path):
    (tmp_path / "csd.cer").write_bytes(b"left over")
    assert make(tmp_path).returncode == 0
    signer = Signer.load(certificate=(tmp_path / "csd.cer").read_bytes(), key=(tmp_path / "csd.key").read_bytes(),
                         password=PASSWORD)
    assert signer.rfc == RFC
