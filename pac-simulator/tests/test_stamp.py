"""POST /api/v1/stamp: a sealed CFDI 4.0 comes back with its TimbreFiscalDigital, or is refused
with the PAC's code; the same sealed document is stamped once."""
from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from lxml import etree
from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40
from satcfdi.models import Certificate
from satcfdi.transform import MEXICO_TZ

from pac_simulator.certificates import make_csd

TFD = "{http://www.sat.gob.mx/TimbreFiscalDigital}TimbreFiscalDigital"
COMPLEMENTO = "{http://www.sat.gob.mx/cfd/4}Complemento"
PAC_RFC = "PSM2612079T1"


def stamp(client, auth, xml: bytes):
    return client.post("/api/v1/stamp", data=xml, headers=auth)


def refusal(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["code"] == code and body["status"] == status
    assert body["message"] and body["title"]  # SAT's Spanish wording and the English one
    return body


@pytest.mark.parametrize("currency", [{"moneda": "MXN"}, {"moneda": "USD", "tipo_cambio": Decimal("17.2345")}],
                         ids=["MXN", "USD"])
def test_a_sealed_invoice_comes_back_stamped(client, auth, sealed, currency):
    xml = sealed(**currency)
    before = datetime.now(timezone.utc).replace(microsecond=0)

    response = stamp(client, auth, xml)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    stamped = etree.fromstring(response.data)
    (timbre,) = stamped.findall(f"{COMPLEMENTO}/{TFD}")
    assert timbre.get("Version") == "1.1"
    assert str(uuid.UUID(timbre.get("UUID"))).upper() == timbre.get("UUID")
    assert timbre.get("RfcProvCertif") == PAC_RFC
    assert timbre.get("SelloCFD") == stamped.get("Sello")
    # Mexico City's wall clock, without an offset, as SAT writes it.
    fecha_timbrado = datetime.strptime(timbre.get("FechaTimbrado"), "%Y-%m-%dT%H:%M:%S")
    assert before <= MEXICO_TZ.localize(fecha_timbrado) <= datetime.now(timezone.utc)
    assert response.headers["Location"] == f"/api/v1/stamps/{timbre.get('UUID')}"

    # SelloSAT verifies with the PAC's published stamping certificate, over the TFD's cadena original.
    published = client.get(f"/api/v1/certificates/{timbre.get('NoCertificadoSAT')}")
    assert published.status_code == 200 and published.mimetype == "application/pkix-cert"
    sat = Certificate.load_certificate(published.data)
    assert sat.certificate_number == timbre.get("NoCertificadoSAT") and sat.rfc_pac == PAC_RFC
    tfd_cadena = CFDI.from_xml(timbre).cadena_original()
    assert tfd_cadena.startswith(f"||1.1|{timbre.get('UUID')}|")
    assert sat.verify_sha256(tfd_cadena.encode(), base64.b64decode(timbre.get("SelloSAT")))

    # The stamped CFDI is still valid for satcfdi, and its issuer's seal still verifies.
    document = CFDI.from_string(response.data)
    document.to_xml(validate=True)
    issuer = Certificate.load_certificate(base64.b64decode(document["Certificado"]))
    assert issuer.verify_sha256(document.cadena_original().encode(), base64.b64decode(document["Sello"]))
    assert document["Complemento"]["TimbreFiscalDigital"]["UUID"] == timbre.get("UUID")
    assert document["Moneda"] == currency["moneda"]

    kept = client.get(f"/api/v1/stamps/{timbre.get('UUID').lower()}", headers=auth)
    assert kept.status_code == 200 and kept.data == response.data


def test_the_same_sealed_document_is_stamped_once(client, auth, sealed):
    xml = sealed()
    first = stamp(client, auth, xml)
    stamped_uuid = etree.fromstring(first.data).find(f"{COMPLEMENTO}/{TFD}").get("UUID")

    # A client that lost the answer to a timeout sends the same document again.
    again = stamp(client, auth, xml)

    body = refusal(again, 409, "307")
    assert body["uuid"] == stamped_uuid
    assert again.headers["Location"] == f"/api/v1/stamps/{stamped_uuid}"
    assert client.get(again.headers["Location"], headers=auth).data == first.data
    assert client.get("/test/controls").json["stamps"] == 1


def test_a_stamped_document_sent_again_is_307_with_its_uuid(client, auth, sealed):
    stamped = stamp(client, auth, sealed()).data
    body = refusal(stamp(client, auth, stamped), 409, "307")
    assert body["uuid"] == etree.fromstring(stamped).find(f"{COMPLEMENTO}/{TFD}").get("UUID")


def test_a_document_changed_after_sealing_is_302(client, auth, sealed):
    xml = sealed()
    tampered = xml.replace("Tóner negro TK-3182".encode(), "Tóner negro TK-3190".encode())
    assert tampered != xml
    refusal(stamp(client, auth, tampered), 422, "302")
    # A NoCertificado that is not the Certificado's, or a Sello that is no base64, is the same refusal.
    root = etree.fromstring(xml)
    root.set("NoCertificado", "30001000000500003416")
    refusal(stamp(client, auth, etree.tostring(root)), 422, "302")
    root = etree.fromstring(xml)
    root.set("Sello", "no es base64!")
    refusal(stamp(client, auth, etree.tostring(root)), 422, "302")
    assert client.get("/test/controls").json["stamps"] == 0


def test_a_seal_made_with_another_rfcs_certificate_is_303(client, auth, sealed, signer_for):
    stranger = signer_for(make_csd("XIA190128J61", "XENON INDUSTRIAL ARTICLES"))
    body = refusal(stamp(client, auth, sealed(signer=stranger)), 422, "303")
    assert "XIA190128J61" in body["detail"] and "EKU9003173C9" in body["detail"]


def test_an_invoice_issued_four_days_ago_is_401(client, auth, sealed, days_ago):
    refusal(stamp(client, auth, sealed(fecha=days_ago(4))), 422, "401")
    # Nor from the future.
    refusal(stamp(client, auth, sealed(fecha=days_ago(-1))), 422, "401")
    # Two days ago is within the 72 hours.
    assert stamp(client, auth, sealed(fecha=days_ago(2) + timedelta(days=1), folio="1002")).status_code == 200


def test_an_invoice_issued_outside_the_certificates_validity_is_305(client, auth, sealed, signer_for):
    now = datetime.now(timezone.utc)
    expired = signer_for(make_csd("EKU9003173C9", "ESCUELA KEMPER URGATE",
                                  valid_from=now - timedelta(days=4 * 365), valid_to=now - timedelta(hours=1)))
    refusal(stamp(client, auth, sealed(signer=expired)), 422, "305")


@pytest.mark.parametrize(
    "garbage",
    [b"", b"esto no es XML", b"<cfdi:Comprobante xmlns:cfdi='http://www.sat.gob.mx/cfd/4'",
     b"<Factura Version='4.0'/>", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"],
    ids=["empty", "text", "unclosed", "other-root", "entity"],
)
def test_what_is_not_xml_or_not_a_cfdi_is_301(client, auth, garbage):
    refusal(stamp(client, auth, garbage), 400, "301")


def test_a_cfdi_against_the_schema_is_301(client, auth, sealed):
    root = etree.fromstring(sealed())
    root.set("Moneda", "PESOS")  # not a currency of SAT's catalogue
    body = refusal(stamp(client, auth, etree.tostring(root)), 400, "301")
    assert "schema" in body["detail"]
    root = etree.fromstring(sealed())
    root.remove(root.find("{http://www.sat.gob.mx/cfd/4}Receptor"))
    refusal(stamp(client, auth, etree.tostring(root)), 400, "301")


@pytest.mark.parametrize("header", [None, "Basic " + base64.b64encode(b"contrato-42:otra").decode(),
                                    "Bearer secreto-del-contrato"], ids=["none", "wrong-password", "bearer"])
def test_the_contracts_credentials_are_required(client, auth, sealed, header):
    headers = {"Content-Type": "application/xml", **({"Authorization": header} if header else {})}
    response = client.post("/api/v1/stamp", data=sealed(), headers=headers)
    refusal(response, 401, "300")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    refusal(client.get(f"/api/v1/stamps/{uuid.uuid4()}", headers=headers), 401, "300")
    assert client.get("/test/controls").json["stamps"] == 0


def test_unknown_stamps_and_certificates_are_404(client, auth):
    assert client.get(f"/api/v1/stamps/{uuid.uuid4()}", headers=auth).status_code == 404
    assert client.get("/api/v1/certificates/30001000000000000000").status_code == 404


def test_health_names_the_pac_and_the_version(client):
    from importlib.metadata import version

    assert client.get("/healthz").json == {"status": "ok", "pac_rfc": PAC_RFC, "version": version("pac-simulator")}


def test_a_payment_receipt_with_pagos_2_0_for_a_stamped_invoice_is_stamped(client, auth, sealed, issuer, days_ago):
    invoice = CFDI.from_string(stamp(client, auth, sealed()).data)
    receipt = cfdi40.Comprobante.pago_comprobantes(
        comprobantes=invoice, fecha_pago=days_ago(0), forma_pago="03", serie="P", folio="501",
    )
    receipt.sign(issuer)

    response = stamp(client, auth, receipt.xml_bytes())

    assert response.status_code == 200, response.get_data(as_text=True)
    stamped = CFDI.from_string(response.data)
    stamped.to_xml(validate=True)
    assert stamped["TipoDeComprobante"] == "P"
    pagos = stamped["Complemento"]["Pagos"]
    assert pagos["Version"] == "2.0"
    (document,) = pagos["Pago"][0]["DoctoRelacionado"]
    assert document["IdDocumento"] == invoice["Complemento"]["TimbreFiscalDigital"]["UUID"]
    assert document["ImpPagado"] == invoice["Total"]
    assert stamped["Complemento"]["TimbreFiscalDigital"]["UUID"] != document["IdDocumento"]


def test_a_document_larger_than_the_pac_accepts_is_refused(client, auth):
    from pac_simulator import MAX_DOCUMENT_BYTES

    response = client.post("/api/v1/stamp", data=b"<x>" + b" " * MAX_DOCUMENT_BYTES + b"</x>", headers=auth)
    refusal(response, 413, "301")
