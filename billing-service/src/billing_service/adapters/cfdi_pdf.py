"""The printed representation of an invoice's CFDI (reportlab), byte for byte the same for the
same CFDI: reportlab's invariant mode, and the stamp's date as the document's.

It opens with the statements' brand band and says, in Spanish and English, what SAT asks a
printed CFDI to show: issuer and receiver, folio fiscal, stamp date, certificate numbers, the
concepts with their taxes, the totals, payment method and form, and both seals.
"""
from __future__ import annotations

import io
from datetime import datetime

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from billing_service.adapters.pdf import StatementBrand, _brand_band, _Writer, format_money
from billing_service.domain.cfdi import Cfdi, PaymentNode, Tax

VOUCHER_TYPES = {"I": "Ingreso / Income", "E": "Egreso / Credit note", "P": "Pago / Payment receipt"}

# Seals are base64 with no spaces: cut at a fixed width in a monospaced font.
SEAL_FONT_SIZE = 7
SEAL_CHARACTERS_PER_LINE = 105


def _chunks(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def _fit(canvas: Canvas, text: str, width: float, size: float = 9) -> list[str]:
    """Words onto lines no wider than `width` points (a long description wraps, never runs off)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and canvas.stringWidth(candidate, "Helvetica", size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + [current] if current or not lines else lines


def _tax_text(tax: Tax) -> str:
    rate = f" {tax.rate}" if tax.rate is not None else ""
    amount = format_money(tax.amount) if tax.amount is not None else "—"
    return f"{tax.kind} {tax.tax} {tax.factor}{rate}: base {format_money(tax.base)}, importe {amount}"


def _seal(writer: _Writer, label: str, seal: str) -> None:
    writer.line(label, bold=True)
    for piece in _chunks(seal, SEAL_CHARACTERS_PER_LINE):
        if writer.y < writer.BOTTOM:
            # An empty line turns the page (with its heading); then back up to where it would have gone.
            writer.line("")
            writer.y += writer.LEADING
        writer.canvas.setFont("Courier", SEAL_FONT_SIZE)
        writer.canvas.drawString(writer.LEFT, writer.y, piece)
        writer.y -= writer.LEADING * 0.7


def _totals(writer: _Writer, cfdi: Cfdi) -> None:
    writer.line(f"Subtotal: {format_money(cfdi.subtotal)}")
    if cfdi.discount:
        writer.line(f"Descuento / Discount: {format_money(cfdi.discount)}")
    for tax in cfdi.taxes:
        writer.line(f"Impuestos / Taxes: {_tax_text(tax)}")
    writer.line(f"Total: {cfdi.currency} {format_money(cfdi.total)}", bold=True, size=11)
    writer.line(f"Moneda / Currency: {cfdi.currency}")
    writer.line(f"Método de pago / Payment method: {cfdi.payment_method or '—'}")
    writer.line(f"Forma de pago / Payment form: {cfdi.payment_form or '—'}")
    writer.gap()


def _payment(writer: _Writer, payment: PaymentNode) -> None:
    """A Pago of the complemento: when, how and how much, and each invoice it paid."""
    writer.line("Pago / Payment", bold=True, size=11)
    writer.line(f"Fecha de pago / Paid: {payment.paid_at:%Y-%m-%d %H:%M:%S}   "
                f"Forma de pago / Form: {payment.payment_form}   "
                f"Núm. de operación / Operation No.: {payment.operation_number or '—'}")
    writer.line(f"Monto / Amount: {payment.currency} {format_money(payment.amount)}", bold=True)
    writer.line("Documentos relacionados / Invoices paid", bold=True)
    writer.line("", bold=True, size=8, columns=[(0, "Folio fiscal (UUID)"), (66, "Moneda"), (80, "Equivalencia"),
                                                 (104, "Parc."), (116, "Saldo anterior"), (142, "Pagado"),
                                                 (164, "Saldo insoluto")])
    for document in payment.documents:
        writer.line("", size=8, columns=[
            (0, document.fiscal_uuid), (66, document.currency), (80, f"{document.equivalence}"),
            (104, str(document.installment)), (116, format_money(document.balance_before)),
            (142, format_money(document.paid)), (164, format_money(document.balance_after)),
        ])
    writer.gap()


def render_cfdi(cfdi: Cfdi, brand: StatementBrand) -> bytes:
    stamp = cfdi.stamp
    folio = stamp.uuid if stamp else "—"
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=0)
    dated: datetime = stamp.stamped_at if stamp else cfdi.issued_at
    moment = dated.strftime("D:%Y%m%d%H%M%S")
    canvas.setDateFormatter(lambda *_ignored: moment)
    canvas.setTitle(f"CFDI {folio}")
    canvas.setAuthor("billing-service")
    canvas.setCreator("billing-service")
    canvas.setSubject(f"{cfdi.issuer_rfc} {cfdi.receiver_rfc}")

    writer = _Writer(canvas, f"CFDI {folio}")
    writer.y = _brand_band(canvas, brand)
    heading = ("Representación impresa de un CFDI 4.0 con complemento para recepción de pagos (REP) / "
               "Printed CFDI 4.0 payment receipt" if cfdi.payments else
               "Representación impresa de un CFDI 4.0 / Printed CFDI 4.0 invoice")
    for part in _fit(canvas, heading, 180 * mm, size=13):
        writer.line(part, bold=True, size=13)
    writer.gap()
    writer.line(f"Folio fiscal (UUID) / Fiscal folio: {folio}", bold=True)
    serie_folio = " ".join(part for part in (cfdi.series, cfdi.folio) if part) or "—"
    writer.line(f"Serie y folio / Series and number: {serie_folio}")
    writer.line(f"Tipo de comprobante / Voucher type: {cfdi.voucher_type} "
                f"({VOUCHER_TYPES.get(cfdi.voucher_type, cfdi.voucher_type)})")
    writer.line(f"Fecha de emisión / Issued: {cfdi.issued_at:%Y-%m-%d %H:%M:%S}   "
                f"Lugar de expedición / Place of issue: {cfdi.place_of_issue}")
    if stamp:
        writer.line(f"Fecha de certificación / Stamped: {stamp.stamped_at:%Y-%m-%d %H:%M:%S}   "
                    f"RFC del PAC / PAC RFC: {stamp.pac_rfc}")
    writer.line(f"No. de certificado del emisor / Issuer certificate No.: {cfdi.certificate_number}")
    if stamp:
        writer.line(f"No. de certificado del SAT / SAT certificate No.: {stamp.sat_certificate_number}")
    writer.gap()

    writer.line("Emisor / Issuer", bold=True, size=11)
    writer.line(f"RFC: {cfdi.issuer_rfc}   Nombre / Name: {cfdi.issuer_name}")
    writer.line(f"Régimen fiscal / Tax regime: {cfdi.issuer_regime}")
    writer.line("Receptor / Receiver", bold=True, size=11)
    writer.line(f"RFC: {cfdi.receiver_rfc}   Nombre / Name: {cfdi.receiver_name}")
    writer.line(f"Uso del CFDI / Use: {cfdi.receiver_use}")
    writer.gap()

    writer.line("Conceptos / Items", bold=True, size=11)
    writer.line("", bold=True, columns=[(0, "Clave"), (22, "Cantidad"), (40, "Unidad"), (58, "Descripción"),
                                        (138, "P. unitario"), (160, "Importe")])
    for concept in cfdi.concepts:
        description = _fit(canvas, concept.description, 78 * mm)
        writer.line("", columns=[
            (0, concept.product_key.split(" ")[0]), (22, f"{concept.quantity:,}"),
            (40, concept.unit_key.split(" ")[0]), (58, description[0]),
            (138, format_money(concept.unit_price)), (160, format_money(concept.amount)),
        ])
        for more in description[1:]:
            writer.line("", columns=[(58, more)])
        for tax in concept.taxes:
            writer.line("", size=8, columns=[(58, _tax_text(tax))])
    writer.gap()

    for payment in cfdi.payments:
        _payment(writer, payment)
    if not cfdi.payments:
        # A payment receipt's own totals are zero in currency XXX by SAT's rule: its amounts are
        # the payments', above, so they are not printed.
        _totals(writer, cfdi)

    _seal(writer, "Sello digital del CFDI / Issuer's seal", cfdi.seal)
    writer.gap()
    if stamp:
        _seal(writer, "Sello digital del SAT / SAT's seal", stamp.seal_sat)
        writer.gap()
    writer.line("Este documento es una representación impresa de un CFDI. / "
                "This document is a printed representation of a CFDI.", size=8)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
