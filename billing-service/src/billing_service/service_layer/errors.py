"""What billing refuses, one code each: the use cases raise these, the shared app answers them as
problem+json, and the gateway tells people each code in their language."""
from __future__ import annotations

from billing_service.domain.banxico import (
    BANXICO_FILE_UNREADABLE,
    BANXICO_NO_RATES,
    BANXICO_ROW_INVALID,
    BANXICO_SERIES_UNKNOWN,
)
from billing_service.domain.cfdi import RULES as CFDI_RULES
from portal_shared.errors import COMMON, ErrorCatalogue

ERRORS = ErrorCatalogue(COMMON)

# identity registers customers; billing learns of them by event, maybe a moment later.
CUSTOMER_UNKNOWN = ERRORS.define("billing.customer_unknown", 404, "Customer not found")
# Another customer's account, invoice or statement is as absent as one that does not exist.
ACCOUNT_NOT_FOUND = ERRORS.define("billing.account_not_found", 404, "Not found")
INVOICE_NOT_FOUND = ERRORS.define("billing.invoice_not_found", 404, "Not found")
STATEMENT_NOT_FOUND = ERRORS.define("billing.statement_not_found", 404, "Not found")
NO_EXCHANGE_RATE = ERRORS.define("billing.no_exchange_rate", 404, "No exchange rate")
# Banxico's FIX file: the whole file or nothing; "errors" names the CSV line or the JSON index.
for _code, _title in {
    BANXICO_FILE_UNREADABLE: "Not a Banxico SIE file",
    BANXICO_SERIES_UNKNOWN: "Not Banxico's FIX series",
    BANXICO_ROW_INVALID: "Invalid Banxico rows",
    BANXICO_NO_RATES: "No rate in the Banxico file",
}.items():
    ERRORS.define(_code, 422, _title)

# Invoice import: all rows or none.
INVOICE_ROWS_REFUSED = ERRORS.define("billing.invoice_rows_refused", 422, "Validation failed")
INVOICE_FIGURES_DIFFER = ERRORS.define("billing.invoice_figures_differ", 409,
                                       "Invoice already imported with other figures")
CONCURRENT_IMPORT = ERRORS.define("billing.concurrent_import", 409, "Concurrent import")
# An imported CFDI breaking a rule: the row's cfdi_xml (or fiscal_folio) field says which.
for _rule, _message in CFDI_RULES.items():
    ERRORS.define_field(_rule, _message)
CFDI_NOT_FOUND = ERRORS.define("billing.cfdi_not_found", 404, "No CFDI for this invoice")
NO_CFDIS_IN_MONTH = ERRORS.define("billing.no_cfdis_in_month", 404, "No CFDI in this month")
# A payment's REP: there is none for payments of invoices issued PUE, and it can be downloaded
# once the PAC has stamped it.
RECEIPT_NOT_FOUND = ERRORS.define("billing.receipt_not_found", 404, "No payment receipt")
RECEIPT_NOT_STAMPED = ERRORS.define("billing.receipt_not_stamped", 409, "Payment receipt not stamped yet")

# Statements: a month is stated once it is over, and an issued statement never changes.
PERIOD_NOT_ENDED = ERRORS.define("billing.period_not_ended", 422, "Validation failed")
CONCURRENT_GENERATION = ERRORS.define("billing.concurrent_generation", 409, "Concurrent generation")
