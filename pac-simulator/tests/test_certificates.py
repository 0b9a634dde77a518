"""CSD-like certificates: what satcfdi reads from a SAT CSD, it reads from these."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from satcfdi.models import Certificate, Signer
from satcfdi.models.certificate import CertificateType

from pac_simulator.certificates import certificate_number, make_csd, make_stamping_certificate, serial_for


def test_a_csd_loads_into_satcfdis_signer_with_its_rfc_and_number(issuer_csd):
    signer = Signer.load(certificate=issuer_csd.certificate_der, key=issuer_csd.key_der, password=issuer_csd.password)
    assert signer.rfc == "EKU9003173C9" and signer.rfc_representante == "XIQB891116QE4"
    assert signer.curp_representante == "XIQB891116MGRMZR05"
    assert signer.legal_name == "ESCUELA KEMPER URGATE"
    assert signer.type == CertificateType.CSD
    assert signer.certificate_number == issuer_csd.certificate_number
    assert len(issuer_csd.certificate_number) == 20 and issuer_csd.certificate_number.isdigit()
    assert signer.verify_sha256(b"cadena", base64.b64decode(signer.sign_sha256(b"cadena")))


def test_a_person_has_the_rfc_alone_and_a_curp():
    pair = make_csd("XIQB891116QE4", "BERENICE XIMO QUEZADA", curp="XIQB891116MGRMZR05", number="30001000000500003416")
    certificate = Certificate.load_certificate(pair.certificate_der)
    assert certificate.rfc == "XIQB891116QE4" and certificate.curp == "XIQB891116MGRMZR05"
    assert certificate.certificate_number == "30001000000500003416"
    assert certificate.serial_number == serial_for("30001000000500003416")


def test_pem_forms_hold_the_same_certificate_and_key(issuer_csd):
    assert x509.load_pem_x509_certificate(issuer_csd.certificate_pem).public_bytes(
        serialization.Encoding.DER) == issuer_csd.certificate_der
    assert Certificate.load_certificate(issuer_csd.certificate_pem, serialization.Encoding.PEM).certificate_number \
        == issuer_csd.certificate_number
    key = serialization.load_pem_private_key(issuer_csd.key_pem(), issuer_csd.password.encode())
    assert key.public_key().public_numbers() == issuer_csd.certificate.public_key().public_numbers()
    assert key.key_size == 2048


def test_the_key_is_encrypted_with_its_password(issuer_csd):
    with pytest.raises(TypeError):
        serialization.load_der_private_key(issuer_csd.key_der, None)
    with pytest.raises(ValueError):
        Signer.load(certificate=issuer_csd.certificate_der, key=issuer_csd.key_der, password="otra")


def test_validity_dates_are_the_ones_asked_for():
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    pair = make_csd("EKU9003173C9", "ESCUELA KEMPER URGATE", valid_from=start, valid_to=start + timedelta(days=30))
    assert pair.certificate.not_valid_before_utc == start
    assert pair.certificate.not_valid_after_utc == start + timedelta(days=30)


def test_certificate_numbers_are_twenty_digits_written_as_sat_does():
    assert serial_for("30001000000500003416") == int(b"30001000000500003416".hex(), 16)
    for wrong in ("3000100000050000341", "3000100000050000341X"):
        with pytest.raises(ValueError):
            serial_for(wrong)


def test_the_stamping_certificate_names_the_pac():
    pair = make_stamping_certificate("PSM2612079T1", password="clave")
    signer = Signer.load(certificate=pair.certificate_der, key=pair.key_der, password="clave")
    assert signer.rfc_pac == "PSM2612079T1"
    assert certificate_number(pair.certificate) == signer.certificate_number
