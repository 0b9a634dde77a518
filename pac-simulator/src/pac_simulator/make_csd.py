"""`pac-simulator-make-csd --rfc RFC --name NAME --password PW --out DIR`: a demo taxpayer's CSD as
SAT hands it out, DIR/csd.cer (DER) and DIR/csd.key (encrypted PKCS#8 DER).

A pair already in DIR is kept as it is: the issuer's certificate number is on every CFDI it
sealed, so a restart of whatever runs this must not swap the certificate under them.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pac_simulator.certificates import make_csd

CERTIFICATE_FILE = "csd.cer"
KEY_FILE = "csd.key"


def _write(path: Path, content: bytes, mode: int) -> None:
    # Written beside and renamed into place: a reader never sees half a file.
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(content)
    os.replace(partial, path)


def write_csd(out: Path, *, rfc: str, name: str, password: str) -> bool:
    """Make the pair in `out` unless both files are there; True when it was made."""
    certificate, key = out / CERTIFICATE_FILE, out / KEY_FILE
    if certificate.is_file() and key.is_file():
        return False
    out.mkdir(parents=True, exist_ok=True)
    pair = make_csd(rfc, name, password=password)
    # The key last: a pair is complete only once both exist, and the key is the owner's alone.
    _write(certificate, pair.certificate_der, 0o644)
    _write(key, pair.key_der, 0o600)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="pac-simulator-make-csd",
        description="Write a CSD-like certificate and key (csd.cer, csd.key) that only the PAC simulator accepts; "
                    "a pair already there is kept.",
    )
    parser.add_argument("--rfc", required=True, help="the taxpayer's RFC")
    parser.add_argument("--name", required=True, help="the taxpayer's name, as SAT records it")
    parser.add_argument("--password", required=True, help="the password the key is encrypted with")
    parser.add_argument("--out", required=True, type=Path, help="the folder for csd.cer and csd.key")
    args = parser.parse_args(argv)
    made = write_csd(args.out, rfc=args.rfc, name=args.name, password=args.password)
    print(f"{'Made' if made else 'Kept'} the CSD of {args.rfc} in {args.out}", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
