"""Statement of account PDFs (reportlab), byte for byte the same for the same statement.

Determinism: reportlab's invariant mode drops the random document id and the clock, and the
document's creation and modification dates are the statement's issue time.

The first page opens with the deployment's brand: a band of its primary colour holding its logo
(PNG or JPEG: reportlab draws no SVG) and its name in white.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from billing_service.domain.money import CURRENCIES
from portal_shared.brand import Brand, BrandConfigError
from portal_shared.mexico import MEXICO_CITY

# The portal's own name, when the deployment names none: statements speak both languages.
PORTAL_NAME = "Portal de Clientes / Customer Portal"


def format_money(amount: Decimal) -> str:
    """12345.6 -> "12,345.60" (the same text the tests look for)."""
    return f"{Decimal(amount):,.2f}"


# The counters copiers have, said in both languages as the portal's pages say them; another name as written.
COUNTER_NAMES = {
    "total": "Total",
    "black": "Negro / Black", "bn": "Negro / Black", "mono": "Negro / Black",
    "colour": "Color / Colour", "color": "Color / Colour",
    "scan": "Escaneo / Scan",
}


def counter_name(counter: str) -> str:
    return COUNTER_NAMES.get(counter, counter)


@dataclass(frozen=True)
class InvoiceLine:
    invoice_number: str
    issue_date: date
    due_date: date
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class PaymentLine:
    paid_on: date
    invoice_number: str
    bank_reference: str
    currency: str
    amount: Decimal
    amount_mxn: Decimal


@dataclass(frozen=True)
class UsageLine:
    serial_number: str
    counter: str
    usage: int


@dataclass(frozen=True)
class StatementDocument:
    statement_id: str
    period: str
    issued_at: datetime
    rfc: str
    customer_name: str
    account_number: str
    system_account_number: str
    opening: dict[str, Decimal]
    invoiced: dict[str, Decimal]
    paid: dict[str, Decimal]
    closing: dict[str, Decimal]
    invoices: list[InvoiceLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)
    usage: list[UsageLine] = field(default_factory=list)


@dataclass(frozen=True)
class StatementBrand:
    name: str
    color: str  # "#rrggbb", white text readable on it (portal_shared.brand checked it)
    logo: bytes | None = None

    @classmethod
    def of(cls, brand: Brand) -> StatementBrand:
        """The statements' brand from billing's settings; a logo reportlab cannot read stops the
        service when it starts, not the first statement run."""
        logo = brand.logo.content if brand.logo else None
        if logo is not None:
            try:
                ImageReader(io.BytesIO(logo)).getSize()
            except OSError as exc:  # Pillow's, for a file that starts like an image and is not one
                raise BrandConfigError("BRAND_LOGO_PATH: the file starts like a PNG or JPEG image but cannot be "
                                       "read as one") from exc
        return cls(name=brand.name or PORTAL_NAME, color=brand.primary_color, logo=logo)


class _Writer:
    """Lines top to bottom, a new page when the current one is full."""

    LEFT = 18 * mm
    TOP = LETTER[1] - 18 * mm
    BOTTOM = 18 * mm
    LEADING = 5 * mm

    def __init__(self, canvas: Canvas, heading: str):
        self.canvas = canvas
        self.heading = heading
        self.y = self.TOP
        self.page = 1

    def line(self, text: str, *, bold: bool = False, size: float = 9, columns: list[tuple[float, str]] | None = None):
        if self.y < self.BOTTOM:
            self.canvas.showPage()
            self.page += 1
            self.y = self.TOP
            self.canvas.setFont("Helvetica", 8)
            self.canvas.drawString(self.LEFT, self.y, f"{self.heading} - {self.page}")
            self.y -= self.LEADING * 1.5
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        if columns:
            for offset, cell in columns:
                self.canvas.drawString(self.LEFT + offset * mm, self.y, cell)
        else:
            self.canvas.drawString(self.LEFT, self.y, text)
        self.y -= self.LEADING

    def gap(self) -> None:
        self.y -= self.LEADING / 2


def _totals_line(writer: _Writer, label: str, figures: dict[str, Decimal], *, bold: bool = False) -> None:
    cells = [(0, label)] + [
        (95 + 45 * i, f"{currency} {format_money(figures[currency])}") for i, currency in enumerate(CURRENCIES)
    ]
    writer.line("", bold=bold, columns=cells)


BAND_HEIGHT = 20 * mm
LOGO_HEIGHT = 12 * mm
LOGO_MAX_WIDTH = 50 * mm


def _brand_band(canvas: Canvas, brand: StatementBrand) -> float:
    """Draws the brand across the top of the page; returns where the text below may start."""
    width, height = LETTER
    bottom = height - BAND_HEIGHT
    canvas.setFillColor(HexColor(brand.color))
    canvas.rect(0, bottom, width, BAND_HEIGHT, stroke=0, fill=1)
    x = _Writer.LEFT
    if brand.logo is not None:
        image = ImageReader(io.BytesIO(brand.logo))
        image_width, image_height = image.getSize()
        scale = min(LOGO_HEIGHT / image_height, LOGO_MAX_WIDTH / image_width)
        drawn_width, drawn_height = image_width * scale, image_height * scale
        canvas.drawImage(image, x, bottom + (BAND_HEIGHT - drawn_height) / 2, drawn_width, drawn_height, mask="auto")
        x += drawn_width + 5 * mm
    # A long name gets smaller rather than running off the page.
    size = 14.0
    room = width - _Writer.LEFT - x
    while size > 8 and canvas.stringWidth(brand.name, "Helvetica-Bold", size) > room:
        size -= 0.5
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x, bottom + (BAND_HEIGHT - size * 0.7) / 2, brand.name)
    canvas.setFillColorRGB(0, 0, 0)
    return bottom - 10 * mm


def render_statement(doc: StatementDocument, brand: StatementBrand) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=1, pageCompression=0)
    issued_utc = doc.issued_at.astimezone(timezone.utc)
    stamp = issued_utc.strftime("D:%Y%m%d%H%M%S+00'00'")
    canvas.setDateFormatter(lambda *_ignored: stamp)
    canvas.setTitle(f"Estado de cuenta {doc.statement_id}")
    canvas.setAuthor("billing-service")
    canvas.setCreator("billing-service")
    canvas.setSubject(f"{doc.account_number} {doc.period}")

    local_issue = doc.issued_at.astimezone(MEXICO_CITY)
    writer = _Writer(canvas, f"Estado de cuenta {doc.statement_id}")
    writer.y = _brand_band(canvas, brand)
    writer.line("Estado de cuenta / Statement of account", bold=True, size=14)
    writer.gap()
    writer.line(f"Estado de cuenta No.: {doc.statement_id}")
    writer.line(f"Período / Period: {doc.period}")
    writer.line(f"Fecha de emisión / Issued: {local_issue:%Y-%m-%d %H:%M} (America/Mexico_City)")
    writer.gap()
    writer.line(f"Cliente / Customer: {doc.customer_name}")
    writer.line(f"RFC: {doc.rfc}")
    writer.line(f"Cuenta cliente / Customer account: {doc.account_number}")
    writer.line(f"Cuenta sistema / System account: {doc.system_account_number}")
    writer.gap()
    _totals_line(writer, "Saldo inicial / Opening balance", doc.opening, bold=True)
    writer.gap()

    writer.line("Facturas del período / Invoices", bold=True, size=11)
    writer.line("", bold=True, columns=[(0, "Factura"), (45, "Emisión"), (75, "Vencimiento"), (105, "Moneda"), (125, "Importe")])
    for invoice in doc.invoices:
        writer.line("", columns=[
            (0, invoice.invoice_number), (45, invoice.issue_date.isoformat()), (75, invoice.due_date.isoformat()),
            (105, invoice.currency), (125, format_money(invoice.amount)),
        ])
    if not doc.invoices:
        writer.line("Sin facturas / None")
    _totals_line(writer, "Total facturado / Invoiced", doc.invoiced)
    writer.gap()

    writer.line("Pagos del período / Payments", bold=True, size=11)
    writer.line("", bold=True, columns=[(0, "Fecha"), (25, "Factura"), (65, "Referencia bancaria"), (110, "Moneda"), (127, "Importe"), (152, "MXN")])
    for payment in doc.payments:
        writer.line("", columns=[
            (0, payment.paid_on.isoformat()), (25, payment.invoice_number), (65, payment.bank_reference),
            (110, payment.currency), (127, format_money(payment.amount)), (152, format_money(payment.amount_mxn)),
        ])
    if not doc.payments:
        writer.line("Sin pagos / None")
    _totals_line(writer, "Total pagado / Paid", doc.paid)
    writer.gap()
    _totals_line(writer, "Saldo final / Closing balance", doc.closing, bold=True)
    writer.gap()

    writer.line("Lecturas / Meter usage", bold=True, size=11)
    writer.line("", bold=True, columns=[(0, "Serie / Serial"), (55, "Contador / Counter"), (105, "Uso / Usage")])
    for line in doc.usage:
        writer.line("", columns=[(0, line.serial_number), (55, counter_name(line.counter)), (105, f"{line.usage:,}")])
    if not doc.usage:
        writer.line("Sin lecturas / None")

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
