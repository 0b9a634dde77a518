"""Reads a CFDI 4.0 with satcfdi into domain.cfdi's facts: SAT's schema, the cadena original
(SAT's XSLT) and the seal's check are satcfdi's.

The XML is parsed strictly first (no entities, no network, no recovery): satcfdi's own parser
repairs broken XML, and billing keeps only what it could hand back to SAT byte for byte.
"""
from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from lxml import etree
from OpenSSL.crypto import Error as OpenSSLError
from satcfdi.cfdi import CFDI
from satcfdi.exceptions import CFDIError, SchemaValidationError
from satcfdi.models import Certificate
from satcfdi.transform import SchemaCollector, cfdi_schemas, validate_xsd, xslt_transform

from billing_service.domain.cfdi import Cfdi, Concept, PaidDocument, PaymentNode, Stamp, Tax

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
COMPROBANTE = f"{{{CFDI_NS}}}Comprobante"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)


class UnreadableCfdi(ValueError):
    """Not a CFDI 4.0 billing can keep: not well-formed, not a Comprobante 4.0, or invalid
    against SAT's schema. The message says which, in English."""


def read_cfdi(xml: bytes) -> Cfdi:
    try:
        root = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise UnreadableCfdi(f"not well-formed XML ({error})") from None
    if root.getroottree().docinfo.doctype:
        # SAT's documents have none; a DTD could only declare entities billing will not expand.
        raise UnreadableCfdi("a DOCTYPE is not allowed in a CFDI")
    if root.tag != COMPROBANTE or root.get("Version") != "4.0":
        raise UnreadableCfdi(f"not a CFDI 4.0 Comprobante ({etree.QName(root).localname} "
                             f"Version {root.get('Version')})")
    try:
        cfdi = CFDI.from_xml(root)
        schemas = SchemaCollector()
        cfdi_schemas[root.tag](schemas, cfdi)
        validate_xsd(root, schemas.base)
    except SchemaValidationError as error:
        log = error.error_log
        first = log.last_error if getattr(log, "last_error", None) is not None else log
        raise UnreadableCfdi(f"not valid against SAT's CFDI 4.0 schema ({first})") from None
    except (CFDIError, AttributeError, KeyError, ValueError, TypeError, ArithmeticError) as error:
        # satcfdi reads by the schema before validating: a required node missing or a value of
        # the wrong type stops it there.
        raise UnreadableCfdi(f"not readable as a CFDI 4.0 ({error!r})") from None
    return _facts(root, cfdi)


def _seal_verifies(root: etree._Element, cfdi: CFDI) -> bool:
    """Sello is RSA-SHA256 over the cadena original by the Certificado inside, whose number is NoCertificado."""
    try:
        certificate = Certificate.load_certificate(base64.b64decode(cfdi["Certificado"], validate=True))
        seal = base64.b64decode(cfdi["Sello"], validate=True)
    except (binascii.Error, ValueError, CFDIError, OpenSSLError):
        return False
    if certificate.certificate_number != cfdi["NoCertificado"]:
        return False
    cadena = str(xslt_transform(root.tag, root.get("Version"))(root))
    return bool(certificate.verify_sha256(cadena.encode("utf-8"), seal))


def _text(value: Any) -> str | None:
    """A catalogue value as "code - description" (satcfdi's Code), a plain one as itself."""
    return None if value is None else str(value)


def _code(value: Any) -> str:
    return str(getattr(value, "code", value))


def _taxes(node: Any) -> tuple[Tax, ...]:
    if not node:
        return ()
    taxes = []
    for kind, group in (("Traslado", "Traslados"), ("Retención", "Retenciones")):
        for tax in (node.get(group) or {}).values():
            taxes.append(Tax(
                kind=kind,
                tax=_text(tax["Impuesto"]),
                factor=_code(tax.get("TipoFactor", "")),
                rate=tax.get("TasaOCuota"),
                base=tax.get("Base", Decimal(0)),
                amount=tax.get("Importe"),
            ))
    return tuple(taxes)


def _stamp(cfdi: CFDI) -> Stamp | None:
    timbre = (cfdi.get("Complemento") or {}).get("TimbreFiscalDigital")
    if timbre is None:
        return None
    return Stamp(
        version=timbre.get("Version", ""),
        uuid=timbre.get("UUID", ""),
        stamped_at=timbre.get("FechaTimbrado"),
        pac_rfc=timbre.get("RfcProvCertif", ""),
        sat_certificate_number=timbre.get("NoCertificadoSAT", ""),
        seal_cfd=timbre.get("SelloCFD", ""),
        seal_sat=timbre.get("SelloSAT", ""),
    )


def _facts(root: etree._Element, cfdi: CFDI) -> Cfdi:
    emisor, receptor = cfdi["Emisor"], cfdi["Receptor"]
    return Cfdi(
        voucher_type=_code(cfdi["TipoDeComprobante"]),
        issued_at=cfdi["Fecha"],
        place_of_issue=_code(cfdi["LugarExpedicion"]),
        series=cfdi.get("Serie"),
        folio=cfdi.get("Folio"),
        issuer_rfc=emisor["Rfc"],
        issuer_name=emisor.get("Nombre", ""),
        issuer_regime=_text(emisor.get("RegimenFiscal")) or "",
        receiver_rfc=receptor["Rfc"],
        receiver_name=receptor.get("Nombre", ""),
        receiver_use=_text(receptor.get("UsoCFDI")) or "",
        receiver_postal_code=_code(receptor.get("DomicilioFiscalReceptor", "")),
        receiver_regime=_code(receptor.get("RegimenFiscalReceptor", "")),
        subtotal=cfdi["SubTotal"],
        discount=cfdi.get("Descuento"),
        total=cfdi["Total"],
        currency=_code(cfdi["Moneda"]),
        payment_method=_text(cfdi.get("MetodoPago")),
        payment_form=_text(cfdi.get("FormaPago")),
        certificate_number=cfdi["NoCertificado"],
        seal=cfdi["Sello"],
        seal_verifies=_seal_verifies(root, cfdi),
        concepts=tuple(
            Concept(
                product_key=_text(concepto["ClaveProdServ"]),
                quantity=concepto["Cantidad"],
                unit_key=_text(concepto["ClaveUnidad"]),
                description=concepto["Descripcion"],
                unit_price=concepto["ValorUnitario"],
                amount=concepto["Importe"],
                taxes=_taxes(concepto.get("Impuestos")),
            )
            for concepto in cfdi["Conceptos"]
        ),
        taxes=_taxes(cfdi.get("Impuestos")),
        stamp=_stamp(cfdi),
        payments=_payments(cfdi),
    )


def _payments(cfdi: CFDI) -> tuple[PaymentNode, ...]:
    complement = cfdi.get("Complemento") or {}
    pagos = complement.get("Pagos") if hasattr(complement, "get") else None
    if not pagos:
        return ()
    return tuple(
        PaymentNode(
            paid_at=pago["FechaPago"],
            payment_form=_code(pago["FormaDePagoP"]),
            currency=_code(pago["MonedaP"]),
            amount=pago["Monto"],
            operation_number=pago.get("NumOperacion"),
            documents=tuple(
                PaidDocument(
                    fiscal_uuid=str(document["IdDocumento"]).upper(),
                    series=document.get("Serie"),
                    folio=document.get("Folio"),
                    currency=_code(document["MonedaDR"]),
                    equivalence=document["EquivalenciaDR"],
                    installment=int(document["NumParcialidad"]),
                    balance_before=document["ImpSaldoAnt"],
                    paid=document["ImpPagado"],
                    balance_after=document["ImpSaldoInsoluto"],
                )
                for document in pago["DoctoRelacionado"]
            ),
        )
        for pago in pagos["Pago"]
    )
