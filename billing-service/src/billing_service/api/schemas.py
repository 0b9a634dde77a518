"""Request and response shapes of the billing API (they also write the OpenAPI document)."""
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from billing_service.domain.accounts import MAX_ACCOUNT_NUMBER_LENGTH
from billing_service.domain.calendar import Period
from billing_service.domain.money import CURRENCIES, MAX_AMOUNT
from portal_shared.web.fields import StrictDecimal

MAX_IMPORT_ROWS = 5000
# A stamped CFDI of a few concepts is about 4 KB; one of hundreds of concepts stays well below this.
MAX_CFDI_CHARACTERS = 512 * 1024
MAX_PAGE_SIZE = 500


class AccountsQuery(Schema):
    # Unknown query parameters are refused (marshmallow's default), so a misspelt filter says so.
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose accounts to list."})


class CustomerOut(Schema):
    id = fields.UUID()
    rfc = fields.String()
    name = fields.String()
    system_account_number = fields.String()


class AccountOut(Schema):
    id = fields.UUID()
    account_number = fields.String(metadata={"description": "Customer account number, as on contracts and invoices."})
    system_account_number = fields.String(metadata={"description": "How customer service identifies the customer."})
    opened_at = fields.AwareDateTime()


class AccountsOut(Schema):
    customer = fields.Nested(CustomerOut)
    items = fields.List(fields.Nested(AccountOut))


# --- shared field builders -------------------------------------------------------------------

def money_in(**kwargs) -> fields.Decimal:
    """An amount: a decimal string (or whole number) above zero with at most two decimals."""
    return StrictDecimal(places=2, validate=[validate.Range(min=Decimal("0.01"), max=MAX_AMOUNT)], **kwargs)


def money_out(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, **kwargs)


def rate_out(**kwargs) -> fields.Decimal:
    return fields.Decimal(places=4, as_string=True, **kwargs)


class Trimmed(fields.String):
    """A code whose surrounding blanks do not matter; blank is missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class PeriodField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return Period.parse(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc


class ScopeQuery(Schema):
    customer_id = fields.UUID(metadata={"description": "Staff only: the customer whose data to read."})


class PagedQuery(ScopeQuery):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    account = Trimmed(validate=validate.Length(max=MAX_ACCOUNT_NUMBER_LENGTH),
                      metadata={"description": "Only this customer account number."})


# --- invoices --------------------------------------------------------------------------------

class InvoiceRowIn(Schema):
    invoice_number = Trimmed(required=True, validate=validate.Length(max=40))
    account_number = Trimmed(required=True, validate=validate.Length(max=MAX_ACCOUNT_NUMBER_LENGTH))
    issue_date = fields.Date(required=True)
    due_date = fields.Date(required=True)
    currency = fields.String(required=True, validate=validate.OneOf(CURRENCIES))
    amount = money_in(required=True)
    fiscal_folio = fields.UUID(load_default=None, allow_none=True,
                               metadata={"description": "The CFDI's folio fiscal (a UUID); with cfdi_xml, "
                                                        "its stamp's UUID."})
    cfdi_xml = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=MAX_CFDI_CHARACTERS),
        metadata={"description": "The invoice's CFDI 4.0 as the PAC stamped it (the XML document as text). "
                                 "Checked before anything is imported: SAT's schema, an income voucher, the "
                                 "seal, a TimbreFiscalDigital 1.1, the vendor as issuer, the account's "
                                 "customer as receiver, Total and Moneda equal to amount and currency. Kept "
                                 "byte for byte (UTF-8); its UUID becomes the fiscal folio."},
    )

    @validates_schema
    def _due_after_issue(self, data, **_kwargs):
        if "issue_date" in data and "due_date" in data and data["due_date"] < data["issue_date"]:
            raise ValidationError("The due date cannot be before the issue date.", "due_date")


class InvoiceImportIn(Schema):
    invoices = fields.List(fields.Nested(InvoiceRowIn), required=True,
                           validate=validate.Length(min=1, max=MAX_IMPORT_ROWS))


class InvoiceImportOut(Schema):
    imported = fields.Integer()
    unchanged = fields.Integer()


class InvoicesQuery(PagedQuery):
    status = fields.String(validate=validate.OneOf(("open", "paid")))


class CfdiMonthQuery(ScopeQuery):
    month = PeriodField(required=True, metadata={"description": "The month the invoices were issued, YYYY-MM."})


class InvoiceOut(Schema):
    id = fields.UUID()
    invoice_number = fields.String()
    account_number = fields.String()
    issue_date = fields.Date()
    due_date = fields.Date()
    currency = fields.String()
    amount = money_out()
    pending_amount = money_out()
    in_transit_amount = money_out()
    status = fields.String()
    fiscal_folio = fields.UUID(allow_none=True)
    has_cfdi = fields.Boolean(metadata={"description": "Whether the invoice's CFDI can be downloaded "
                                                       "(cfdi.xml, cfdi.pdf)."})
    overdue = fields.Boolean()


class InvoicesOut(Schema):
    items = fields.List(fields.Nested(InvoiceOut))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


# --- exchange rates --------------------------------------------------------------------------

class RateIn(Schema):
    date = fields.Date(required=True)
    rate = StrictDecimal(places=4, required=True,
                         validate=[validate.Range(min=Decimal("0.0001"), max=Decimal("99999999.9999"))])


class RatesIn(Schema):
    rates = fields.List(fields.Nested(RateIn), required=True, validate=validate.Length(min=1, max=MAX_IMPORT_ROWS))

    @validates_schema
    def _each_day_once(self, data, **_kwargs):
        seen = set()
        for index, row in enumerate(data.get("rates", [])):
            if row["date"] in seen:
                raise ValidationError({str(index): {"date": ["This day appears twice."]}}, "rates")
            seen.add(row["date"])


class RatesOut(Schema):
    set = fields.Integer()
    unchanged = fields.Integer()


class FixImportOut(RatesOut):
    series = fields.String(metadata={"description": "Banxico's series: SF43718 (FIX)."})
    from_ = fields.Date(data_key="from", attribute="from",
                        metadata={"description": "The file's first determined day."})
    to = fields.Date(metadata={"description": "The file's last determined day."})


class RateOut(Schema):
    date = fields.Date()
    rate = rate_out()


# --- balances --------------------------------------------------------------------------------

class BalanceItemOut(InvoiceOut):
    exchange_rate = rate_out(allow_none=True)
    amount_mxn = money_out(allow_none=True)
    pending_mxn = money_out(allow_none=True)


class MxnTotalsOut(Schema):
    pending = money_out()
    in_transit = money_out()


class UsdTotalsOut(MxnTotalsOut):
    pending_mxn = money_out(allow_none=True)


class TotalsOut(Schema):
    class Meta:
        # "MXN" and "USD" are not Python names.
        include = {"MXN": fields.Nested(MxnTotalsOut), "USD": fields.Nested(UsdTotalsOut)}

    overall_pending_mxn = money_out(allow_none=True)


class BalancesOut(Schema):
    items = fields.List(fields.Nested(BalanceItemOut))
    totals = fields.Nested(TotalsOut)
    rate = fields.Nested(RateOut, allow_none=True)
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


# --- statements ------------------------------------------------------------------------------

class GenerateStatementsIn(Schema):
    period = PeriodField(required=True, metadata={"description": "The month, YYYY-MM."})


class GenerateStatementsOut(Schema):
    period = fields.String()
    generated = fields.List(fields.String())
    existing = fields.Integer()


class CurrencyFiguresOut(Schema):
    class Meta:
        include = {"MXN": money_out(), "USD": money_out()}


class MeterUsageOut(Schema):
    serial_number = fields.String()
    counter = fields.String()
    usage = fields.Integer()


class StatementOut(Schema):
    id = fields.String()
    account_number = fields.String()
    period = fields.String()
    issued_at = fields.AwareDateTime()
    opening_balance = fields.Nested(CurrencyFiguresOut)
    invoiced = fields.Nested(CurrencyFiguresOut)
    paid = fields.Nested(CurrencyFiguresOut)
    closing_balance = fields.Nested(CurrencyFiguresOut)
    meter_usage = fields.List(fields.Nested(MeterUsageOut),
                              metadata={"description": "Usage of the month's meter readings, by device and counter."})
    pdf_url = fields.String()


class StatementsOut(Schema):
    items = fields.List(fields.Nested(StatementOut))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


# --- credit status ---------------------------------------------------------------------------

class CreditQuery(Schema):
    customer_id = fields.UUID(required=True)


class CreditOut(Schema):
    customer_id = fields.UUID()
    status = fields.String(metadata={"description": "current, overdue or blocked"})
    days_overdue = fields.Integer()
    oldest_due_date = fields.Date(allow_none=True)
    overdue_invoices = fields.Integer()
    overdue_pending = fields.Nested(CurrencyFiguresOut)
    block_after_days = fields.Integer()


# --- payment receipts (REP) ------------------------------------------------------------------

class ReceiptsQuery(ScopeQuery):
    month = PeriodField(metadata={"description": "Payments confirmed in this month (Mexico City), YYYY-MM."})
    unstamped = fields.Boolean(load_default=False,
                               metadata={"description": "Only receipts not stamped yet, by deadline."})
    payment_id = fields.List(fields.UUID(), validate=validate.Length(max=MAX_PAGE_SIZE),
                             metadata={"description": "Only these payments' receipts (repeat the parameter)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


class ReceiptInvoiceOut(Schema):
    invoice_number = fields.String()
    fiscal_uuid = fields.String(metadata={"description": "The invoice CFDI's UUID (IdDocumento)."})
    currency = fields.String()
    amount = money_out(metadata={"description": "Paid, in the invoice's currency (ImpPagado)."})
    installment = fields.Integer(metadata={"description": "NumParcialidad."})


class ReceiptOut(Schema):
    payment_id = fields.UUID()
    customer_id = fields.UUID()
    customer_name = fields.String()
    customer_rfc = fields.String()
    reference = fields.String()
    bank = fields.String()
    bank_reference = fields.String()
    total_mxn = money_out()
    confirmed_at = fields.AwareDateTime()
    deadline = fields.Date(metadata={"description": "SAT's: the 5th of the month after the payment."})
    status = fields.String(metadata={"description": "waiting, stamped or refused (a person must look)."})
    overdue = fields.Boolean()
    fiscal_folio = fields.String(allow_none=True)
    stamped_at = fields.AwareDateTime(allow_none=True)
    refusal_code = fields.String(allow_none=True)
    invoices = fields.List(fields.Nested(ReceiptInvoiceOut))


class ReceiptsOut(Schema):
    items = fields.List(fields.Nested(ReceiptOut))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
