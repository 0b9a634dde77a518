"""The figures of a payment's Comprobante de Recepción de Pagos (REP): a CFDI 4.0 of type P with
SAT's complemento Pagos 2.0, one per confirmed payment, listing every invoice the payment paid.

A payment is always made in MXN; an invoice is in MXN or USD. Each invoice's share of the payment
in MXN is the payment item's own amount_mxn (what the customer was charged for it), so the
documents' MXN shares add up to the payment's Monto to the cent by construction. EquivalenciaDR
(units of the invoice's currency per peso) is then chosen so that SAT, converting ImpPagado back
to pesos with it, finds that same share: never more, and equal once rounded to the cent.

The document itself is built elsewhere (adapters.rep, with satcfdi).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal

from billing_service.domain.money import ZERO
from portal_shared.mexico import MEXICO_CITY, mxn_for, to_cents

PAYMENT_CURRENCY = "MXN"
# c_FormaPago 03: "Transferencia electrónica de fondos", how the banks pay the portal's payments.
ELECTRONIC_TRANSFER = "03"
# c_ObjetoImp 02: "Sí objeto de impuesto": the vendor's invoices all charge IVA.
TAXABLE = "02"
IVA = "002"
RATE_FACTOR = "Tasa"
IVA_RATE = Decimal("0.160000")
_WITH_IVA = 1 + IVA_RATE
# Pagos 2.0 writes EquivalenciaDR with at most ten decimals (and at least 0.0000000001).
EQUIVALENCE_UNIT = Decimal("0.0000000001")
# NumParcialidad is one to three digits in SAT's schema; NumOperacion up to 100 characters, no "|".
MAX_INSTALLMENT = 999
MAX_OPERATION_NUMBER = 100


# A payment's REP: waiting to be sealed and stamped, stamped, or refused (a person must look).
WAITING = "waiting"
STAMPED = "stamped"
REFUSED = "refused"
# c_MetodoPago PPD, "pago en parcialidades o diferido": only such invoices get a REP; an invoice
# issued PUE was declared paid when it was issued.
PAID_LATER = "PPD"
# The refusal codes a REP can carry; the PAC's own codes are kept as "pac.<code>".
RECEIPT_INVOICE_WITHOUT_CFDI = "billing.receipt_invoice_without_cfdi"
RECEIPT_FIGURES_REFUSED = "billing.receipt_figures_refused"


def receipt_deadline(confirmed_at: datetime) -> date:
    """When SAT wants the REP stamped: the fifth day of the month after the payment, counted in
    Mexico City's calendar."""
    day = confirmed_at.astimezone(MEXICO_CITY).date()
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, 5)


class ReceiptRefused(ValueError):
    """The payment's figures cannot make a valid REP; the message says why, in English."""


@dataclass(frozen=True)
class PaidInvoice:
    """One invoice a payment paid, as billing knew it before the payment."""

    fiscal_uuid: str  # the invoice CFDI's TimbreFiscalDigital UUID: IdDocumento
    currency: str  # "MXN" or "USD"
    amount: Decimal  # paid, in the invoice's currency
    amount_mxn: Decimal  # what the customer paid for it, in pesos (the payment item's amount_mxn)
    balance_before: Decimal  # the invoice's balance before this payment, in its currency
    earlier_payments: int  # payments the invoice received before this one
    exchange_rate: Decimal | None = None  # MXN per USD the payment used; None for MXN
    series: str | None = None
    folio: str | None = None


@dataclass(frozen=True)
class ConfirmedPayment:
    payment_id: str
    bank_reference: str
    confirmed_at: datetime  # aware
    total_mxn: Decimal
    invoices: tuple[PaidInvoice, ...]
    payment_form: str = ELECTRONIC_TRANSFER


@dataclass(frozen=True)
class DocumentFigures:
    """A DoctoRelacionado: amounts in the document's currency (MonedaDR)."""

    fiscal_uuid: str
    series: str | None
    folio: str | None
    currency: str
    equivalence: Decimal  # EquivalenciaDR: units of the document's currency per peso
    installment: int  # NumParcialidad
    balance_before: Decimal  # ImpSaldoAnt
    paid: Decimal  # ImpPagado
    balance_after: Decimal  # ImpSaldoInsoluto
    tax_object: str  # ObjetoImpDR
    tax_base: Decimal  # TrasladoDR BaseDR, IVA at 16 %
    tax: Decimal  # TrasladoDR ImporteDR
    paid_mxn: Decimal  # the payment's pesos for this document: ImpPagado / EquivalenciaDR, to the cent


@dataclass(frozen=True)
class ReceiptFigures:
    """The Pago node and the Totales of the REP; every amount here is in pesos."""

    paid_at: datetime  # FechaPago: Mexico City's local time, without offset
    payment_form: str  # FormaDePagoP
    currency: str  # MonedaP
    exchange_rate: Decimal  # TipoCambioP
    amount: Decimal  # Monto
    operation_number: str  # NumOperacion: the bank's reference
    documents: tuple[DocumentFigures, ...]
    tax_base: Decimal  # TrasladoP BaseP, and Totales TotalTrasladosBaseIVA16
    tax: Decimal  # TrasladoP ImporteP, and Totales TotalTrasladosImpuestoIVA16

    @property
    def total_payments(self) -> Decimal:
        """Totales MontoTotalPagos: Monto × TipoCambioP, which is 1 for a payment in pesos."""
        return to_cents(self.amount * self.exchange_rate)


def equivalence_for(amount: Decimal, amount_mxn: Decimal) -> Decimal:
    """The EquivalenciaDR of `amount` (in the document's currency) paid with `amount_mxn` pesos.

    The smallest value of ten decimals not below amount / amount_mxn: converting back,
    amount / EquivalenciaDR never exceeds amount_mxn (SAT requires Monto to cover the documents)
    and rounds half-up to it. For a USD invoice paid at R pesos per dollar it is 1/R, as exactly
    as the item's rounding to the cent tells it.

    Rounding up moves the pesos by less than amount_mxn × 10⁻¹⁰ / EquivalenciaDR, so such a value
    always exists while amount_mxn ≤ 5 × 10⁷ × EquivalenciaDR (80,000 USD at 25 MXN/USD, 170,000 at
    17); above that it may not, and the receipt is refused rather than off by a cent.
    """
    if amount == amount_mxn:
        return Decimal(1)
    equivalence = (amount / amount_mxn).quantize(EQUIVALENCE_UNIT, rounding=ROUND_CEILING)
    if to_cents(amount / equivalence) != amount_mxn:
        # Ten decimals are too coarse to name the rate for so many pesos.
        raise ReceiptRefused(f"no EquivalenciaDR of ten decimals converts {amount} into {amount_mxn} MXN")
    return equivalence


def _document(invoice: PaidInvoice) -> DocumentFigures:
    name = f"Invoice {invoice.fiscal_uuid}"
    if invoice.amount <= ZERO or invoice.amount_mxn <= ZERO:
        raise ReceiptRefused(f"{name}: the amount paid must be positive")
    if invoice.currency == PAYMENT_CURRENCY:
        if invoice.amount != invoice.amount_mxn:
            raise ReceiptRefused(f"{name}: an MXN invoice's amount {invoice.amount} is not its "
                                 f"amount_mxn {invoice.amount_mxn}")
    elif invoice.currency == "USD":
        if invoice.exchange_rate is None:
            raise ReceiptRefused(f"{name}: a USD invoice needs the payment's exchange rate")
        if mxn_for(invoice.amount, invoice.currency, invoice.exchange_rate) != invoice.amount_mxn:
            raise ReceiptRefused(f"{name}: {invoice.amount} USD at {invoice.exchange_rate} is not "
                                 f"{invoice.amount_mxn} MXN")
    else:
        raise ReceiptRefused(f"{name}: currency {invoice.currency} is neither MXN nor USD")
    balance_after = invoice.balance_before - invoice.amount
    if balance_after < ZERO:
        raise ReceiptRefused(f"{name}: paying {invoice.amount} {invoice.currency} exceeds its balance "
                             f"{invoice.balance_before}")
    installment = invoice.earlier_payments + 1
    if not 1 <= installment <= MAX_INSTALLMENT:
        raise ReceiptRefused(f"{name}: installment {installment} is not between 1 and {MAX_INSTALLMENT}")
    equivalence = equivalence_for(invoice.amount, invoice.amount_mxn)
    # The paid amount includes the 16 % IVA. The tax is charged on the rounded base, not taken as
    # the remainder: SAT checks ImporteDR against BaseDR × TasaOCuotaDR within half a cent's tolerance.
    tax_base = to_cents(invoice.amount / _WITH_IVA)
    return DocumentFigures(
        fiscal_uuid=invoice.fiscal_uuid,
        series=invoice.series,
        folio=invoice.folio,
        currency=invoice.currency,
        equivalence=equivalence,
        installment=installment,
        balance_before=invoice.balance_before,
        paid=invoice.amount,
        balance_after=balance_after,
        tax_object=TAXABLE,
        tax_base=tax_base,
        tax=to_cents(tax_base * IVA_RATE),
        paid_mxn=invoice.amount_mxn,
    )


def receipt_figures(payment: ConfirmedPayment) -> ReceiptFigures:
    """The REP's figures for a confirmed payment, or ReceiptRefused."""
    if not payment.invoices:
        raise ReceiptRefused("a payment receipt lists at least one invoice")
    uuids = [invoice.fiscal_uuid.upper() for invoice in payment.invoices]
    if len(set(uuids)) != len(uuids):
        raise ReceiptRefused("an invoice is listed twice in one payment")
    if payment.confirmed_at.tzinfo is None:
        raise ReceiptRefused("the payment's confirmation time must be aware")
    reference = payment.bank_reference
    if not 1 <= len(reference) <= MAX_OPERATION_NUMBER or "|" in reference:
        raise ReceiptRefused(f"the bank reference {reference!r} is not 1 to {MAX_OPERATION_NUMBER} "
                             f"characters without '|'")
    documents = tuple(_document(invoice) for invoice in payment.invoices)
    amount = sum((document.paid_mxn for document in documents), ZERO)
    if amount != payment.total_mxn:
        raise ReceiptRefused(f"the invoices' MXN shares add up to {amount}, the payment's total is "
                             f"{payment.total_mxn}")
    return ReceiptFigures(
        paid_at=payment.confirmed_at.astimezone(MEXICO_CITY).replace(tzinfo=None, microsecond=0),
        payment_form=payment.payment_form,
        currency=PAYMENT_CURRENCY,
        exchange_rate=Decimal(1),
        amount=amount,
        operation_number=reference,
        documents=documents,
        # In the payment's currency, as SAT sums them: each document's figure / EquivalenciaDR.
        tax_base=to_cents(sum((d.tax_base / d.equivalence for d in documents), ZERO)),
        tax=to_cents(sum((d.tax / d.equivalence for d in documents), ZERO)),
    )
