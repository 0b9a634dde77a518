"""CSD-like certificates for tests and demos, and the simulator's own stamping certificate.

A SAT CSD ("Certificado de Sello Digital") is an X.509 certificate whose subject carries the
taxpayer's RFC in x500UniqueIdentifier ("RFC / RFC of the legal representative") and the CURP in
serialNumber ("CURP / CURP of the legal representative"); its serial number is the 20-digit
"NoCertificado" written as ASCII digits (serial 0x3330303031... reads "30001..."), which is how
satcfdi's Certificate.certificate_number decodes it. The private key comes as encrypted PKCS#8 DER
with a password, what satcfdi's Signer.load(certificate=..., key=..., password=...) reads.

None of these chain to SAT's real authorities: they are issued by a simulated authority and are
only good against the PAC simulator.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

AUTHORITY_NAME = "AC DE PRUEBAS DEL SIMULADOR DEL SAT"
# The prefix of the simulated authority's certificate numbers; real CSDs start with 3000 or 0000.
NUMBER_PREFIX = "3000100000"
# X.520 "name", which SAT fills with the holder's name; cryptography has no constant for it.
NAME = ObjectIdentifier("2.5.4.41")


@dataclass(frozen=True)
class CsdPair:
    """A certificate and its private key as SAT hands them out (.cer DER, .key encrypted PKCS#8 DER)."""

    certificate_der: bytes
    key_der: bytes
    password: str

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.certificate_der)

    @property
    def certificate_number(self) -> str:
        return certificate_number(self.certificate)

    def private_key(self) -> rsa.RSAPrivateKey:
        return serialization.load_der_private_key(self.key_der, self.password.encode())

    def key_pem(self) -> bytes:
        """The key as encrypted PKCS#8 PEM (the same key and password as key_der)."""
        return self.private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self.password.encode()),
        )


def serial_for(number: str) -> int:
    """The X.509 serial number SAT gives the certificate numbered `number` (20 digits)."""
    if len(number) != 20 or not number.isdigit():
        raise ValueError(f"a certificate number has 20 digits, not {number!r}")
    return int(number.encode("ascii").hex(), 16)


def certificate_number(certificate: x509.Certificate) -> str:
    """The 20-digit NoCertificado of a SAT-style certificate (its serial read as ASCII digits)."""
    return bytes.fromhex(f"{certificate.serial_number:x}").decode("ascii")


def new_certificate_number() -> str:
    return NUMBER_PREFIX + f"{secrets.randbelow(10**10):010d}"


def make_csd(
    rfc: str,
    name: str,
    *,
    password: str = "12345678a",
    number: str | None = None,
    curp: str = "",
    representative_rfc: str = "",
    representative_curp: str = "",
    branch: str = "",
    valid_from: datetime | None = None,
    valid_to: datetime | None = None,
) -> CsdPair:
    """A CSD for `rfc`: RSA 2048, valid four years from a day ago unless told otherwise."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    not_before = valid_from or datetime.now(timezone.utc) - timedelta(days=1)
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        # "RFC / RFC of the representative", as SAT writes it for a company; a person's RFC alone.
        x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, f"{rfc} / {representative_rfc}" if representative_rfc else rfc),
    ]
    # Likewise "CURP / CURP of the representative"; a company has no CURP of its own (" / CURP").
    curps = f"{curp} / {representative_curp}" if representative_curp else curp
    if curps:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, curps))
    if branch:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, branch))
    authority_key, authority_name = _authority()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(authority_name)
        .public_key(key.public_key())
        .serial_number(serial_for(number or new_certificate_number()))
        .not_valid_before(not_before)
        .not_valid_after(valid_to or not_before + timedelta(days=4 * 365))
        # Two extensions, as on a CSD (a FIEL has four; satcfdi tells them apart by that count).
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(authority_key, hashes.SHA256())
    )
    return CsdPair(
        certificate_der=certificate.public_bytes(serialization.Encoding.DER),
        key_der=key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        ),
        password=password,
    )


def make_stamping_certificate(pac_rfc: str, *, password: str) -> CsdPair:
    """The certificate the simulated SAT issues to a PAC to sign its stamps (SelloSAT,
    NoCertificadoSAT). Like SAT's, its branch name (OU) is "PAC" + the PAC's RFC, which is where
    satcfdi's Certificate.rfc_pac reads RfcProvCertif from."""
    return make_csd(
        pac_rfc, "PROVEEDOR DE CERTIFICACION SIMULADO", password=password, branch=f"PAC{pac_rfc}",
        valid_to=datetime.now(timezone.utc) + timedelta(days=8 * 365),
    )


@cache
def _authority() -> tuple[rsa.RSAPrivateKey, x509.Name]:
    # One simulated issuing authority per process: only its name shows in the certificates, as no
    # one can verify a chain to SAT's real roots here anyway.
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, AUTHORITY_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SERVICIO DE ADMINISTRACION TRIBUTARIA"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
        ]),
    )
