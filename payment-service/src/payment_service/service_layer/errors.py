"""Every refusal of payment's use cases: a stable code, the HTTP status the API answers with and
the title API clients read. The gateway translates each code for the people who pay."""
from __future__ import annotations

from portal_shared.errors import COMMON, ErrorCatalogue

ERRORS = ErrorCatalogue(COMMON)

# Starting a payment.
IDEMPOTENCY_KEY_REQUIRED = ERRORS.define("payment.idempotency_key_required", 422, "Validation failed")
IDEMPOTENCY_KEY_REUSED = ERRORS.define("payment.idempotency_key_reused", 422, "Validation failed")
IDEMPOTENCY_KEY_IN_USE = ERRORS.define("payment.idempotency_key_in_use", 409, "Payment in transit")
# Another customer's invoice is reported exactly like one that does not exist.
INVOICE_UNKNOWN = ERRORS.define("payment.invoice_unknown", 404, "Not found")
INVOICE_REPEATED = ERRORS.define("payment.invoice_repeated", 422, "Validation failed")
AMOUNT_ABOVE_PENDING = ERRORS.define("payment.amount_above_pending", 422, "Validation failed")
NO_EXCHANGE_RATE = ERRORS.define("payment.no_exchange_rate", 422, "Validation failed")
INVOICE_IN_TRANSIT = ERRORS.define("payment.invoice_in_transit", 409, "Payment in transit")
BANK_UNAVAILABLE = ERRORS.define("payment.bank_unavailable", 503, "Bank unavailable")

# Reading a payment; another customer's is reported exactly like one that does not exist.
NOT_FOUND = ERRORS.define("payment.not_found", 404, "Not found")

# Cancelling a payment.
NOT_PENDING = ERRORS.define("payment.not_pending", 409, "Payment not pending")
PAID_AT_BANK = ERRORS.define("payment.paid_at_bank", 409, "Paid at the bank")

# A bank's notification.
BANK_UNKNOWN = ERRORS.define("payment.bank_unknown", 404, "Not found")
INVALID_SIGNATURE = ERRORS.define("payment.invalid_signature", 401, "Invalid signature")
NOTIFICATION_UNREADABLE = ERRORS.define("payment.notification_unreadable", 422, "Validation failed")
NOTIFICATION_MISMATCH = ERRORS.define("payment.notification_mismatch", 422, "Validation failed")
# A correctly signed notification the bank's own status API does not bear out.
NOT_CONFIRMED_BY_BANK = ERRORS.define("payment.not_confirmed_by_bank", 409, "Not confirmed by the bank")
