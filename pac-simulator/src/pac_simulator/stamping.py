"""What a PAC checks before it stamps a CFDI 4.0, and the stamp itself (tfd:TimbreFiscalDigital 1.1).

No Flask here: read() and check() raise Refusal with the code SAT's list of validations gives the
PAC (301 XML mal formado, 302 sello inválido, 303 sello no corresponde al emisor, 305 fuera de la
vigencia del CSD, 307 timbre previo, 401 fecha fuera de rango); stamp() returns the document with
its stamp. The XML schemas, the cadena original (SAT's XSLT) and the TFD come from satcfdi.
"""
from __future__ import annotations

import base64
import binascii
import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree
from OpenSSL.crypto import Error as OpenSSLError
from satcfdi.cfdi import CFDI
from satcfdi.create.cfd.tfd11 import TimbreFiscalDigital
from satcfdi.exceptions import CFDIError, SchemaValidationError
from satcfdi.models import Certificate, Signer
from satcfdi.transform import MEXICO_TZ, SchemaCollector, cfdi_schemas, get_timezone, validate_xsd, xslt_transform

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
TFD_NS = "http://www.sat.gob.mx/TimbreFiscalDigital"
COMPROBANTE = f"{{{CFDI_NS}}}Comprobante"
COMPLEMENTO = f"{{{CFDI_NS}}}Complemento"
ADDENDA = f"{{{CFDI_NS}}}Addenda"
TIMBRE = f"{{{TFD_NS}}}TimbreFiscalDigital"
# SAT stamps what was issued in the last 72 hours; a little clock skew ahead is tolerated.
ISSUE_WINDOW = timedelta(hours=72)
CLOCK_SKEW = timedelta(minutes=5)

# code -> (HTTP status, SAT's wording, the same in English)
REFUSALS = {
    "300": (401, "Usuario no válido", "The PAC credentials are missing or wrong"),
    "301": (400, "XML mal formado", "The XML is malformed or not a valid CFDI 4.0"),
    "302": (422, "Sello mal formado o inválido", "The issuer's seal does not verify"),
    "303": (422, "Sello no corresponde a emisor", "The seal's certificate is not the issuer's RFC"),
    "305": (422, "La fecha de emisión no está dentro de la vigencia del CSD del emisor",
            "The issue date is outside the validity of the issuer's certificate"),
    "307": (409, "El CFDI contiene un timbre previo", "This CFDI was already stamped"),
    "401": (422, "Fecha y hora de generación fuera de rango", "The issue date is more than 72 hours old or in the future"),
}


class Refusal(Exception):
    """The PAC does not stamp: `code` from REFUSALS, `detail` says what exactly; `uuid` is the
    earlier stamp's for a 307."""

    def __init__(self, code: str, detail: str, *, uuid: str | None = None):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail, self.uuid = code, detail, uuid
        self.status, self.message, self.title = REFUSALS[code]


@dataclass(frozen=True)
class SealedDocument:
    root: etree._Element  # the document as received, untouched
    cfdi: CFDI  # the same, read by satcfdi

    @property
    def sello(self) -> str:
        return self.cfdi["Sello"]

    @property
    def issuer_rfc(self) -> str:
        return self.cfdi["Emisor"]["Rfc"]


# Strict, unlike satcfdi's own parser (which recovers from broken XML): no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=False, huge_tree=False)


def read(xml: bytes) -> SealedDocument:
    """A CFDI 4.0 that parses and is valid against SAT's schemas (with its complements'), or 301."""
    try:
        root = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise Refusal("301", f"not well-formed XML: {error}") from None
    if root.tag != COMPROBANTE or root.get("Version") != "4.0":
        raise Refusal("301", f"not a CFDI 4.0 Comprobante: {root.tag} Version={root.get('Version')}")
    try:
        cfdi = CFDI.from_xml(root)
        schemas = SchemaCollector()
        cfdi_schemas[root.tag](schemas, cfdi)
        validate_xsd(root, schemas.base)
    except SchemaValidationError as error:
        raise Refusal("301", f"not valid against the CFDI 4.0 schemas: {_first_error(error)}") from None
    except (CFDIError, AttributeError, KeyError, ValueError, TypeError, ArithmeticError) as error:
        # satcfdi reads the document by the schema before validating it: a required node missing
        # (AttributeError) or a value of the wrong type stops it there, and is a 301 as well.
        raise Refusal("301", f"not readable as a CFDI 4.0: {error!r}") from None
    return SealedDocument(root=root, cfdi=cfdi)


def _first_error(error: SchemaValidationError) -> str:
    log = error.error_log
    return str(log.last_error) if getattr(log, "last_error", None) is not None else str(log)


def earlier_stamp(document: SealedDocument) -> str | None:
    """The UUID of a stamp the document already carries."""
    stamp = document.root.find(f"{COMPLEMENTO}/{TIMBRE}")
    return None if stamp is None else stamp.get("UUID")


def check_seal(document: SealedDocument) -> Certificate:
    """The Sello verifies (RSA-SHA256 over the cadena original) with the certificate inside, which
    is the one NoCertificado names and the issuer's (Emisor Rfc); 302 or 303 otherwise."""
    cfdi = document.cfdi
    try:
        certificate = Certificate.load_certificate(base64.b64decode(cfdi["Certificado"], validate=True))
        seal = base64.b64decode(cfdi["Sello"], validate=True)
    except (binascii.Error, ValueError, CFDIError, OpenSSLError) as error:
        # OpenSSLError: satcfdi reads the certificate with pyOpenSSL, which refuses a DER that is none.
        raise Refusal("302", f"the Certificado or the Sello cannot be read: {error}") from None
    if certificate.certificate_number != cfdi["NoCertificado"]:
        raise Refusal("302", f"NoCertificado {cfdi['NoCertificado']} is not the Certificado's number "
                             f"{certificate.certificate_number}")
    cadena = str(xslt_transform(document.root.tag, document.root.get("Version"))(document.root))
    if not certificate.verify_sha256(cadena.encode("utf-8"), seal):
        raise Refusal("302", "the Sello does not verify against the cadena original with the Certificado")
    if certificate.rfc != document.issuer_rfc:
        raise Refusal("303", f"the certificate is {certificate.rfc}'s, the Emisor is {document.issuer_rfc}")
    return certificate


def issued_at(document: SealedDocument) -> datetime:
    """Fecha is local time where the document was issued (LugarExpedicion's time zone)."""
    try:
        zone = get_timezone(document.cfdi["LugarExpedicion"])
    except (KeyError, TypeError, IndexError):
        zone = MEXICO_TZ  # a postal code missing from satcfdi's catalogue: central time, as most of Mexico
    return zone.localize(document.cfdi["Fecha"])


def check_dates(document: SealedDocument, certificate: Certificate, now: datetime) -> None:
    """Fecha within the last 72 hours (401) and within the certificate's validity (305)."""
    fecha = issued_at(document)
    if not now - ISSUE_WINDOW <= fecha <= now + CLOCK_SKEW:
        raise Refusal("401", f"Fecha {fecha.isoformat()} is not within the 72 hours before {now.isoformat()}")
    crypto_certificate = certificate.certificate.to_cryptography()
    if not crypto_certificate.not_valid_before_utc <= fecha <= crypto_certificate.not_valid_after_utc:
        raise Refusal("305", f"Fecha {fecha.isoformat()} is outside the certificate's validity "
                             f"({crypto_certificate.not_valid_before_utc.isoformat()} to "
                             f"{crypto_certificate.not_valid_after_utc.isoformat()})")


def stamp(document: SealedDocument, stamper: Signer, *, uuid: str, at: datetime) -> bytes:
    """The document as received with cfdi:Complemento/tfd:TimbreFiscalDigital added. FechaTimbrado
    is Mexico City's local time without offset, as SAT writes it; SelloSAT is the stamper's
    RSA-SHA256 signature over the TFD's cadena original; RfcProvCertif is the stamper
    certificate's PAC RFC."""
    timbre = TimbreFiscalDigital(
        proveedor=stamper,
        uuid=uuid,
        fecha_timbrado=at.astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0),
        sello_cfd=document.sello,
    )
    stamped = copy.deepcopy(document.root)
    complemento = stamped.find(COMPLEMENTO)
    if complemento is None:
        complemento = etree.Element(COMPLEMENTO)
        addenda = stamped.find(ADDENDA)
        # Complemento comes right before Addenda, the last child, when there is one.
        if addenda is None:
            stamped.append(complemento)
        else:
            addenda.addprevious(complemento)
    complemento.append(timbre.to_xml(include_schema_location=True))
    return etree.tostring(stamped, xml_declaration=True, encoding="UTF-8")
