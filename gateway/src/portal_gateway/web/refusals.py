"""What each refusal code means to the person who met it: every code the services list in their
OpenAPI documents (x-error-codes) and the gateway's own (portal_gateway.errors), as the sentence a
page shows. The sentences are translated like the rest of the UI (translations/*/messages.po); a
code a service adds must be added here too, or the contract test names it."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REFUSALS = {
    # Any request, before or around a service's own rules.
    "request.conflict": _l("Someone changed this at the same moment. Please try again."),
    "request.invalid": _l("Some of the data is missing or not valid."),
    "request.malformed": _l("The request could not be read."),
    "request.method_not_allowed": _l("This action is not allowed here."),
    "request.not_found": _l("What you asked for does not exist."),
    "request.refused": _l("The request could not be completed."),
    "request.too_large": _l("What you sent is too large."),
    "server.unexpected": _l("Something went wrong on our side. Please try again in a few minutes."),
    "auth.activation_required": _l("Register your e-mail and choose a new password first."),
    "auth.forbidden": _l("Your role does not allow this."),
    "auth.invalid_token": _l("Your session is no longer valid. Sign in again."),
    "auth.keys_unavailable": _l("Sign-in cannot be checked right now. Please try again in a few minutes."),
    "auth.required": _l("Sign in to continue."),
    "auth.revoked": _l("Your session ended. Sign in again."),
    "body.invalid_json": _l("What you sent could not be read."),
    "body.invalid_unicode": _l("What you sent contains text that is not valid."),
    "body.not_utf8": _l("What you sent contains characters that could not be read."),
    "body.number_too_long": _l("A number you sent is too long."),
    "body.too_deep": _l("What you sent is nested too deeply."),
    "body.unsupported_media_type": _l("What you sent is not in a format the portal accepts."),
    # The gateway calling a service.
    "gateway.service_invalid_response":
        _l("This part of the portal answered with an error. Please try again in a few minutes."),
    "gateway.service_timeout": _l("This part of the portal took too long to answer. Please try again."),
    "gateway.service_unavailable":
        _l("This part of the portal is not available right now. Please try again in a few minutes."),
    # identity-service.
    "identity.account_inactive": _l("This account cannot sign in. Ask your company's administrator."),
    "identity.agent_change_not_allowed": _l("Customer service may only correct a user's e-mail."),
    "identity.already_activated": _l("This account is already activated. Sign in."),
    "identity.already_registered": _l("This customer is already registered."),
    "identity.cannot_disable_self": _l("You cannot disable your own account."),
    "identity.customer_not_found": _l("This customer does not exist."),
    "identity.email_already_verified": _l("Your e-mail address is already verified."),
    "identity.email_change_not_allowed": _l("Only customer service can correct a user's e-mail."),
    "identity.email_in_use": _l("Another user already has this e-mail address."),
    "identity.invalid_credentials": _l("The user name or password is not correct."),
    "identity.invalid_link": _l("This link is not valid or no longer applies."),
    "identity.last_admin": _l("A company keeps at least one administrator."),
    "identity.link_expired": _l("This link has expired. Ask for a new one."),
    "identity.link_superseded": _l("A newer link was sent: use the one in the latest e-mail."),
    "identity.link_used": _l("This link was already used."),
    "identity.locked": _l("Too many attempts. Wait a moment and try again."),
    "identity.refresh_token_invalid": _l("Your session ended. Sign in again."),
    "identity.same_password": _l("The new password must be different from the current one."),
    "identity.user_not_found": _l("This user does not exist."),
    "identity.username_taken": _l("This user name is already taken."),
    "identity.weak_password": _l("The password does not meet the rules."),
    "identity.wrong_current_password": _l("The current password is not correct."),
    # billing-service.
    "billing.account_not_found": _l("This account does not exist or is not yours."),
    "billing.concurrent_generation": _l("The statements of this month were generated meanwhile. Run it again."),
    "billing.concurrent_import": _l("Another import wrote the same invoices. Send this one again."),
    "billing.customer_unknown": _l("This customer has no billing account yet."),
    "billing.invoice_figures_differ": _l("An invoice was already imported with other figures."),
    "billing.invoice_not_found": _l("This invoice does not exist."),
    "billing.cfdi_not_found": _l("This invoice has no CFDI to download."),
    "billing.no_cfdis_in_month": _l("No invoice of this month has a CFDI to download."),
    "billing.receipt_not_found": _l("This payment has no payment receipt (REP)."),
    "billing.receipt_not_stamped": _l("The payment receipt (REP) is not stamped yet. Try again in a few minutes."),
    "billing.invoice_rows_refused": _l("Some invoice rows are not valid; nothing was imported."),
    "billing.no_exchange_rate": _l("No exchange rate has been set yet."),
    "billing.banxico_file_unreadable": _l("This file is not a Banxico SIE download (CSV or JSON); nothing was imported."),
    "billing.banxico_series_unknown": _l("This file is not Banxico's FIX series SF43718; nothing was imported."),
    "billing.banxico_row_invalid": _l("Some rows of the Banxico file have no valid date or rate; nothing was imported."),
    "billing.banxico_no_rates": _l("The Banxico file holds no determined rate; nothing was imported."),
    "billing.period_not_ended": _l("This month has not ended yet."),
    "billing.statement_not_found": _l("This statement does not exist."),
    # payment-service.
    "payment.amount_above_pending": _l("An amount is higher than what is still owed on its invoice."),
    "payment.bank_unavailable": _l("The bank is not available right now. Please try again in a few minutes."),
    "payment.bank_unknown": _l("This bank is not available for payments."),
    "payment.idempotency_key_in_use": _l("This payment is being processed. Wait a moment."),
    "payment.idempotency_key_required": _l("The payment form is incomplete. Reload the page and try again."),
    "payment.idempotency_key_reused":
        _l("This payment was already sent with other amounts. Reload the page and try again."),
    "payment.invalid_signature": _l("The bank's notice could not be verified."),
    "payment.invoice_in_transit": _l("An invoice already has a payment in transit."),
    "payment.invoice_repeated": _l("An invoice appears twice in the payment."),
    "payment.invoice_unknown": _l("One of the invoices does not exist."),
    "payment.no_exchange_rate": _l("There is no exchange rate for today yet, so invoices in USD cannot be paid now."),
    "payment.not_confirmed_by_bank": _l("The bank has not confirmed this payment."),
    "payment.not_found": _l("This payment does not exist."),
    "payment.notification_mismatch": _l("The bank's notice does not match the payment."),
    "payment.notification_unreadable": _l("The bank's notice could not be read."),
    "payment.not_pending": _l("This payment is no longer waiting for the bank: it was already completed or cancelled."),
    "payment.paid_at_bank":
        _l("The bank had already received this payment, so it cannot be cancelled. It is confirmed."),
    # servicedesk-service.
    "servicedesk.account_not_of_customer": _l("This account does not belong to the customer."),
    "servicedesk.article_not_found": _l("This article does not exist."),
    "servicedesk.article_title_in_use": _l("Another article already has this title."),
    "servicedesk.assignee_not_device_admin": _l("This person does not administer devices."),
    "servicedesk.customer_not_found": _l("This customer does not exist."),
    "servicedesk.customer_unknown": _l("This customer is not known to the service desk yet."),
    "servicedesk.device_not_found": _l("This device does not exist or is not one of yours."),
    "servicedesk.device_out_of_service": _l("This device is no longer in service."),
    "servicedesk.incident_move_not_allowed": _l("The incident cannot move to this status from its current one."),
    "servicedesk.incident_move_other_side": _l("The other side moves the incident to this status."),
    "servicedesk.incident_not_found": _l("This incident does not exist."),
    "servicedesk.peer_unavailable": _l("Part of the customer's information is not available right now."),
    "servicedesk.reading_already_today": _l("This device already has a reading for that day."),
    "servicedesk.reading_below_previous": _l("A counter cannot be lower than its previous reading."),
    "servicedesk.reading_date_before_replacement": _l("A reading cannot be dated before the counter was replaced."),
    "servicedesk.reading_date_in_future": _l("A reading cannot be dated in the future."),
    "servicedesk.reading_date_not_after_latest": _l("A reading must be dated after the latest one."),
    "servicedesk.reading_date_staff_only": _l("Only the vendor's staff may date a reading."),
    "servicedesk.serial_number_in_use": _l("Another device already has this serial number."),
    "servicedesk.stock_location_not_found": _l("This stock location does not exist."),
    "servicedesk.toner_item_repeated": _l("A toner item appears twice."),
    "servicedesk.toner_order_not_found": _l("This toner order does not exist."),
    "servicedesk.toner_order_not_open": _l("This toner order is no longer open."),
    "servicedesk.unknown_category": _l("Choose one of the categories in the list."),
    "servicedesk.unknown_counter": _l("This device has no such counter."),
}

# What one field's message means, said next to the field (portal_shared.web.field_codes and the
# services' own field codes, listed in their OpenAPI documents as x-field-codes).
FIELD_MESSAGES = {
    "field.required": _l("This field is required."),
    "field.invalid": _l("This value is not valid."),
    "field.invalid_email": _l("Enter a valid e-mail address, such as nombre@empresa.mx."),
    "field.invalid_date": _l("Enter a valid date."),
    "field.invalid_number": _l("Enter a valid number."),
    "field.too_short": _l("This value is too short."),
    "field.too_long": _l("This value is too long."),
    "field.invalid_length": _l("This value does not have the expected length."),
    "field.out_of_range": _l("This value is outside the accepted range."),
    "field.not_a_choice": _l("Choose one of the options offered."),
    "field.unknown": _l("The form sent a value the portal does not expect. Reload the page and try again."),
    # A refusal said next to the one field it is about: about "this" one, not "an" invoice.
    "payment.invoice_in_transit": _l("This invoice already has a payment in transit."),
    "payment.amount_above_pending": _l("The amount is higher than what is still owed on this invoice."),
    "payment.invoice_unknown": _l("This invoice does not exist or is not yours."),
    "payment.invoice_repeated": _l("This invoice appears twice in the payment."),
    # Why an imported CFDI was refused (billing's import, said next to the row's cfdi_xml).
    "billing.cfdi_invalid": _l("The CFDI is not a well-formed CFDI 4.0 valid against SAT's schema."),
    "billing.cfdi_not_income": _l("The CFDI is not an income voucher (type I)."),
    "billing.cfdi_seal_invalid": _l("The CFDI's seal does not verify: it was changed after sealing."),
    "billing.cfdi_unstamped": _l("The CFDI has no fiscal stamp (TimbreFiscalDigital 1.1)."),
    "billing.cfdi_issuer_mismatch": _l("The CFDI was not issued by the vendor's RFC."),
    "billing.cfdi_receiver_mismatch": _l("The CFDI's receiver is not the invoice's customer."),
    "billing.cfdi_total_mismatch": _l("The CFDI's total is not the invoice's amount."),
    "billing.cfdi_currency_mismatch": _l("The CFDI's currency is not the invoice's."),
    "billing.cfdi_folio_mismatch": _l("The fiscal folio is not the CFDI's UUID."),
    "billing.cfdi_folio_in_use": _l("This CFDI belongs to another invoice."),
    "identity.password_too_short": _l("Use at least 10 characters."),
    "identity.password_too_long": _l("Use at most 128 characters."),
    "identity.password_is_identifier": _l("The password must not be your RFC or user name."),
    "identity.password_contains_identifier": _l("The password must not contain your RFC or user name."),
    "identity.password_too_common": _l("This password is too common; choose one that is harder to guess."),
}


def refusal_sentence(code: str | None, status: int) -> str:
    """The sentence a page shows for a refusal: its code's, or one by its status for a code the
    gateway does not know (a newer service)."""
    sentence = REFUSALS.get(code or "")
    if sentence is not None:
        return str(sentence)
    if status == 404:
        return str(REFUSALS["request.not_found"])
    if status in (401, 403):
        return str(REFUSALS["auth.forbidden"])
    if status >= 500:
        return str(REFUSALS["server.unexpected"])
    return _("The request could not be completed (HTTP %(status)s).", status=status)


def field_sentence(code: str) -> str:
    """One field message by its code: a field code's own sentence, else the refusal's."""
    sentence = FIELD_MESSAGES.get(code) or REFUSALS.get(code) or FIELD_MESSAGES["field.invalid"]
    return str(sentence)
