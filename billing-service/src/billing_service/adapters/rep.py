"""Builds and seals a payment's REP (CFDI 4.0 of type P with complemento Pagos 2.0) with satcfdi,
from domain.rep's figures. Stamping is the PAC's, later.

satcfdi's Pagos computes Monto, ImpuestosP and Totales itself, unrounded and from its own
conversion; they are replaced by the domain's, which are rounded the way SAT checks them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from satcfdi.create.cfd import cfdi40, pago20
from satcfdi.models import Signer

from billing_service.domain.rep import (
    IVA,
    IVA_RATE,
    PAYMENT_CURRENCY,
    RATE_FACTOR,
    DocumentFigures,
    ReceiptFigures,
)
from portal_shared.mexico import MEXICO_CITY


def load_signer(certificate_path: str, key_path: str, password: str) -> Signer:
    """The vendor's CSD from its files (the .cer and .key SAT issues, DER), refused at start if
    the key does not open or belong to the certificate."""
    with open(certificate_path, "rb") as certificate, open(key_path, "rb") as key:
        return Signer.load(certificate=certificate.read(), key=key.read(), password=password)


@dataclass(frozen=True)
class Taxpayer:
    """Issuer or receiver of a CFDI 4.0: RFC, name, c_RegimenFiscal and fiscal postal code."""

    rfc: str
    name: str
    tax_regime: str
    postal_code: str


def _document(document: DocumentFigures) -> pago20.DoctoRelacionado:
    return pago20.DoctoRelacionado(
        id_documento=document.fiscal_uuid,
        serie=document.series,
        folio=document.folio,
        moneda_dr=document.currency,
        equivalencia_dr=document.equivalence,
        num_parcialidad=document.installment,
        imp_saldo_ant=document.balance_before,
        imp_pagado=document.paid,
        objeto_imp_dr=document.tax_object,
        impuestos_dr=pago20.ImpuestosDR(traslados_dr=[pago20.TrasladoDR(
            base_dr=document.tax_base, impuesto_dr=IVA, tipo_factor_dr=RATE_FACTOR,
            tasa_o_cuota_dr=IVA_RATE, importe_dr=document.tax,
        )]),
    )


def _complement(figures: ReceiptFigures) -> pago20.Pagos:
    payment = pago20.Pago(
        fecha_pago=figures.paid_at,
        forma_de_pago_p=figures.payment_form,
        moneda_p=figures.currency,
        tipo_cambio_p=figures.exchange_rate,
        num_operacion=figures.operation_number,
        docto_relacionado=[_document(document) for document in figures.documents],
    )
    complement = pago20.Pagos(pago=[payment])
    (node,) = complement["Pago"]
    node["Monto"] = figures.amount
    node["ImpuestosP"] = {"TrasladosP": [{
        "BaseP": figures.tax_base, "ImpuestoP": IVA, "TipoFactorP": RATE_FACTOR,
        "TasaOCuotaP": IVA_RATE, "ImporteP": figures.tax,
    }]}
    complement["Totales"] = {
        "MontoTotalPagos": figures.total_payments,
        "TotalTrasladosBaseIVA16": figures.tax_base,
        "TotalTrasladosImpuestoIVA16": figures.tax,
    }
    return complement


def payment_receipt_xml(
    figures: ReceiptFigures,
    *,
    issuer: Taxpayer,
    receiver: Taxpayer,
    signer: Signer,
    issued_at: datetime,
    series: str | None = None,
    folio: str | None = None,
) -> bytes:
    """The REP sealed with the issuer's CSD (`signer`), unstamped. issued_at is aware; Fecha is
    its local time at the place of issue (the issuer's postal code), taken as Mexico City's."""
    if figures.currency != PAYMENT_CURRENCY:
        raise ValueError(f"payments are in {PAYMENT_CURRENCY}, not {figures.currency}")
    document = cfdi40.Comprobante.pago(
        emisor=cfdi40.Emisor(rfc=issuer.rfc, nombre=issuer.name, regimen_fiscal=issuer.tax_regime),
        lugar_expedicion=issuer.postal_code,
        receptor=cfdi40.Receptor(rfc=receiver.rfc, nombre=receiver.name,
                                 domicilio_fiscal_receptor=receiver.postal_code,
                                 regimen_fiscal_receptor=receiver.tax_regime, uso_cfdi="CP01"),
        complemento_pago=_complement(figures),
        serie=series,
        folio=folio,
        fecha=issued_at.astimezone(MEXICO_CITY).replace(tzinfo=None, microsecond=0),
    )
    document.sign(signer)
    return document.xml_bytes()
