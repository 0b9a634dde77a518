"""The receipt mailed when a payment is confirmed: Spanish first, the same in English below."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from portal_shared.banks import BANK_NAMES
from portal_shared.mexico import MEXICO_CITY


@dataclass(frozen=True)
class ReceiptLine:
    invoice_number: str
    currency: str
    amount: Decimal
    amount_mxn: Decimal


@dataclass(frozen=True)
class ReceiptMail:
    subject: str
    text: str


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def receipt(
    *, reference: str, bank: str, bank_reference: str, total: Decimal, confirmed_at: datetime, lines: list[ReceiptLine],
    history_url: str,
) -> ReceiptMail:
    """history_url: the portal's payment history, where the payment's fiscal receipt (REP) is
    downloaded once the PAC has stamped it."""
    when = confirmed_at.astimezone(MEXICO_CITY).strftime("%Y-%m-%d %H:%M")
    bank_name = BANK_NAMES.get(bank, bank)
    rows = "\n".join(
        f"  {line.invoice_number}: {_amount(line.amount)} {line.currency}"
        + (f" (= {_amount(line.amount_mxn)} MXN)" if line.currency != "MXN" else "")
        for line in lines
    )
    return ReceiptMail(
        subject=f"Comprobante de pago {reference} / Payment receipt {reference}",
        text=(
            "Hola:\n\n"
            f"Recibimos su pago por {_amount(total)} MXN a través de {bank_name}.\n\n"
            f"Referencia de pago: {reference}\n"
            f"Referencia bancaria: {bank_reference}\n"
            f"Fecha (hora de la Ciudad de México): {when}\n"
            f"Facturas pagadas:\n{rows}\n\n"
            "El comprobante fiscal de este pago (CFDI con complemento de pagos, REP) podrá descargarse en XML y PDF "
            f"desde el Historial de pagos del portal en cuanto esté timbrado:\n{history_url}\n\n"
            "Gracias por su pago.\n\n"
            "---\n\n"
            "Hello,\n\n"
            f"We received your payment of {_amount(total)} MXN through {bank_name}.\n"
            f"Payment reference: {reference}; bank reference: {bank_reference}; date (Mexico City time): {when}.\n"
            "The invoices paid are listed above. The payment's fiscal receipt (REP, a CFDI with the payments "
            f"complement) can be downloaded as XML and PDF from the portal's payment history once stamped: "
            f"{history_url}\n"
            "Thank you for your payment.\n"
        ),
    )
