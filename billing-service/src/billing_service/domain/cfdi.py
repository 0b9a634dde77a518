"""An invoice's CFDI 4.0 (the stamped electronic invoice SAT knows it by) and what billing checks
before it keeps one with the invoice.

The document is read elsewhere (adapters.cfdi, with satcfdi); here are its facts and the rules
comparing them with the invoice row being imported. Each rule has a stable code, said next to the
row's cfdi_xml (or fiscal_folio) field, so the operator's tool can tell which rule failed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# One code per rule: the field codes of an import refused for its CFDI.
CFDI_INVALID = "billing.cfdi_invalid"
CFDI_NOT_INCOME = "billing.cfdi_not_income"
CFDI_SEAL_INVALID = "billing.cfdi_seal_invalid"
CFDI_UNSTAMPED = "billing.cfdi_unstamped"
CFDI_ISSUER_MISMATCH = "billing.cfdi_issuer_mismatch"
CFDI_RECEIVER_MISMATCH = "billing.cfdi_receiver_mismatch"
CFDI_TOTAL_MISMATCH = "billing.cfdi_total_mismatch"
CFDI_CURRENCY_MISMATCH = "billing.cfdi_currency_mismatch"
CFDI_FOLIO_MISMATCH = "billing.cfdi_folio_mismatch"
CFDI_FOLIO_IN_USE = "billing.cfdi_folio_in_use"

RULES = {
    CFDI_INVALID: "The CFDI is not a well-formed CFDI 4.0 valid against SAT's schema.",
    CFDI_NOT_INCOME: "The CFDI is not an income voucher (TipoDeComprobante I).",
    CFDI_SEAL_INVALID: "The CFDI's seal does not verify with its certificate.",
    CFDI_UNSTAMPED: "The CFDI carries no fiscal stamp (TimbreFiscalDigital 1.1).",
    CFDI_ISSUER_MISMATCH: "The CFDI's issuer is not the vendor.",
    CFDI_RECEIVER_MISMATCH: "The CFDI's receiver is not the invoice's customer.",
    CFDI_TOTAL_MISMATCH: "The CFDI's total is not the invoice's amount.",
    CFDI_CURRENCY_MISMATCH: "The CFDI's currency is not the invoice's.",
    CFDI_FOLIO_MISMATCH: "The fiscal folio is not the CFDI's UUID.",
    CFDI_FOLIO_IN_USE: "The CFDI's UUID belongs to another invoice.",
}

INCOME = "I"
STAMP_VERSION = "1.1"

# A company's RFC (persona moral): 3 letters, the date of incorporation as YYMMDD, a 3-character
# homoclave. The check digit is not verified, as nowhere in the portal.
_MORAL_RFC = re.compile(r"^[A-ZÑ&]{3}(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})[A-Z0-9]{3}$")


def is_company_rfc(value: str) -> bool:
    match = _MORAL_RFC.match(value)
    if match is None:
        return False
    try:
        # The century is unknown; 2000 is a leap year, so 29 February of a "00" year passes too.
        date(2000 + int(match["yy"]), int(match["mm"]), int(match["dd"]))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Tax:
    kind: str  # "Traslado" (a tax charged) or "Retención" (one withheld)
    tax: str  # "002 - IVA"
    factor: str  # "Tasa", "Cuota", "Exento"
    rate: Decimal | None
    base: Decimal
    amount: Decimal | None


@dataclass(frozen=True)
class Concept:
    product_key: str
    quantity: Decimal
    unit_key: str
    description: str
    unit_price: Decimal
    amount: Decimal
    taxes: tuple[Tax, ...] = ()


@dataclass(frozen=True)
class Stamp:
    """The TimbreFiscalDigital a PAC added: its UUID is the invoice's folio fiscal."""

    version: str
    uuid: str
    stamped_at: datetime  # Mexico City's local time, as SAT writes it
    pac_rfc: str
    sat_certificate_number: str
    seal_cfd: str
    seal_sat: str


@dataclass(frozen=True)
class PaidDocument:
    """A DoctoRelacionado of a payment receipt (Pagos 2.0): one invoice the payment paid."""

    fiscal_uuid: str  # IdDocumento
    series: str | None
    folio: str | None
    currency: str  # MonedaDR
    equivalence: Decimal  # EquivalenciaDR
    installment: int  # NumParcialidad
    balance_before: Decimal  # ImpSaldoAnt
    paid: Decimal  # ImpPagado
    balance_after: Decimal  # ImpSaldoInsoluto


@dataclass(frozen=True)
class PaymentNode:
    """A Pago of a payment receipt (Pagos 2.0)."""

    paid_at: datetime  # FechaPago, Mexico City's local time
    payment_form: str  # FormaDePagoP
    currency: str  # MonedaP
    amount: Decimal  # Monto
    operation_number: str | None  # NumOperacion
    documents: tuple[PaidDocument, ...]


@dataclass(frozen=True)
class Cfdi:
    """What a CFDI 4.0 says, as billing checks and prints it."""

    voucher_type: str
    issued_at: datetime  # local time of the place of issue
    place_of_issue: str
    series: str | None
    folio: str | None
    issuer_rfc: str
    issuer_name: str
    issuer_regime: str
    receiver_rfc: str
    receiver_name: str
    receiver_use: str
    receiver_postal_code: str  # DomicilioFiscalReceptor
    receiver_regime: str  # RegimenFiscalReceptor's code, e.g. "601"
    subtotal: Decimal
    discount: Decimal | None
    total: Decimal
    currency: str
    payment_method: str | None  # "PPD - Pago en parcialidades o diferido"
    payment_form: str | None  # "99 - Por definir"
    certificate_number: str
    seal: str
    # Whether Sello verifies (RSA-SHA256 over the cadena original) with the Certificado inside.
    seal_verifies: bool
    concepts: tuple[Concept, ...]
    taxes: tuple[Tax, ...]
    stamp: Stamp | None
    # A payment receipt's (TipoDeComprobante P) complemento Pagos 2.0; empty for an invoice.
    payments: tuple[PaymentNode, ...] = ()


@dataclass(frozen=True)
class ExpectedInvoice:
    """What the import row and billing's records say the CFDI must match."""

    invoice_number: str
    amount: Decimal
    currency: str
    customer_rfc: str
    vendor_rfc: str
    fiscal_folio: str | None  # as given in the row, if it was


@dataclass(frozen=True)
class Problem:
    code: str
    field: str  # the row's field the message goes next to
    message: str


def cfdi_problems(cfdi: Cfdi, expected: ExpectedInvoice) -> list[Problem]:
    """Every rule the CFDI breaks for this invoice; empty when billing may keep it."""
    number = expected.invoice_number
    problems: list[Problem] = []

    def refuse(code: str, message: str, field: str = "cfdi_xml") -> None:
        problems.append(Problem(code, field, f"Invoice {number!r}: {message}"))

    if cfdi.voucher_type != INCOME:
        refuse(CFDI_NOT_INCOME, f"the CFDI's TipoDeComprobante is {cfdi.voucher_type}, not I (ingreso).")
    if not cfdi.seal_verifies:
        refuse(CFDI_SEAL_INVALID, "the CFDI's Sello does not verify with its Certificado; "
                                  "it was changed after sealing or sealed with another certificate.")
    if cfdi.stamp is None or cfdi.stamp.version != STAMP_VERSION or not cfdi.stamp.uuid:
        refuse(CFDI_UNSTAMPED, "the CFDI carries no TimbreFiscalDigital 1.1 with a UUID; send it as the PAC stamped it.")
    elif cfdi.stamp.seal_cfd != cfdi.seal:
        refuse(CFDI_UNSTAMPED, "the CFDI's TimbreFiscalDigital was made for another seal (SelloCFD).")
    if cfdi.issuer_rfc != expected.vendor_rfc:
        refuse(CFDI_ISSUER_MISMATCH, f"the CFDI's issuer RFC is {cfdi.issuer_rfc}, not the vendor's "
                                     f"{expected.vendor_rfc}.")
    if cfdi.receiver_rfc != expected.customer_rfc:
        refuse(CFDI_RECEIVER_MISMATCH, f"the CFDI's receiver RFC is {cfdi.receiver_rfc}, not the customer's "
                                       f"{expected.customer_rfc}.")
    if cfdi.total != expected.amount:
        refuse(CFDI_TOTAL_MISMATCH, f"the CFDI's Total is {cfdi.total}, the row's amount {expected.amount}.")
    if cfdi.currency != expected.currency:
        refuse(CFDI_CURRENCY_MISMATCH, f"the CFDI's Moneda is {cfdi.currency}, the row's currency "
                                       f"{expected.currency}.")
    if (expected.fiscal_folio is not None and cfdi.stamp is not None
            and expected.fiscal_folio.upper() != cfdi.stamp.uuid.upper()):
        refuse(CFDI_FOLIO_MISMATCH, f"the fiscal folio {expected.fiscal_folio} is not the CFDI's UUID "
                                    f"{cfdi.stamp.uuid}.", field="fiscal_folio")
    return problems
