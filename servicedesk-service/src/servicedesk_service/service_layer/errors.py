"""Why a use case refused: servicedesk's codes, each a situation a person can be told about.

Plain field validation (a blank text, no counters named) is the common `invalid(...)`
(portal_shared.errors); what only servicedesk refuses is here. The shared app builder turns each
into a problem document and lists the codes in the OpenAPI document. The titles are those API
clients have always read; the code tells the situations apart.

Something out of the caller's reach (another customer's device, one not assigned to them) is
answered exactly like something that does not exist.
"""
from __future__ import annotations

from portal_shared.errors import COMMON, ErrorCatalogue

ERRORS = ErrorCatalogue(COMMON)

# Devices.
DEVICE_NOT_FOUND = ERRORS.define("servicedesk.device_not_found", 404, "Not found")
CUSTOMER_UNKNOWN = ERRORS.define("servicedesk.customer_unknown", 422, "Validation failed")
ACCOUNT_NOT_OF_CUSTOMER = ERRORS.define("servicedesk.account_not_of_customer", 422, "Validation failed")
SERIAL_NUMBER_IN_USE = ERRORS.define("servicedesk.serial_number_in_use", 409, "Conflict")
ASSIGNEE_NOT_DEVICE_ADMIN = ERRORS.define("servicedesk.assignee_not_device_admin", 422, "Validation failed")
# Retired (readings, incidents) or removed from its account (incidents).
DEVICE_OUT_OF_SERVICE = ERRORS.define("servicedesk.device_out_of_service", 409, "Conflict")

# Meter readings.
UNKNOWN_COUNTER = ERRORS.define("servicedesk.unknown_counter", 422, "Validation failed")
READING_DATE_STAFF_ONLY = ERRORS.define("servicedesk.reading_date_staff_only", 422, "Validation failed")
# One reading per device and day: today's, or the day staff named in read_on.
READING_ALREADY_TODAY = ERRORS.define("servicedesk.reading_already_today", 409, "Conflict")
READING_BELOW_PREVIOUS = ERRORS.define("servicedesk.reading_below_previous", 422, "Validation failed")
READING_DATE_IN_FUTURE = ERRORS.define("servicedesk.reading_date_in_future", 422, "Validation failed")
READING_DATE_NOT_AFTER_LATEST = ERRORS.define("servicedesk.reading_date_not_after_latest", 422, "Validation failed")
READING_DATE_BEFORE_REPLACEMENT = ERRORS.define("servicedesk.reading_date_before_replacement", 422,
                                                "Validation failed")

# Incidents.
INCIDENT_NOT_FOUND = ERRORS.define("servicedesk.incident_not_found", 404, "Not found")
UNKNOWN_CATEGORY = ERRORS.define("servicedesk.unknown_category", 422, "Validation failed")
# The move exists, but it is the other side's to make (only the customer cancels or closes).
INCIDENT_MOVE_OTHER_SIDE = ERRORS.define("servicedesk.incident_move_other_side", 403, "Forbidden")
# No such move from the incident's current status.
INCIDENT_MOVE_NOT_ALLOWED = ERRORS.define("servicedesk.incident_move_not_allowed", 409, "Conflict")

# Stock locations, toner reports and toner orders.
STOCK_LOCATION_NOT_FOUND = ERRORS.define("servicedesk.stock_location_not_found", 404, "Not found")
TONER_ITEM_REPEATED = ERRORS.define("servicedesk.toner_item_repeated", 422, "Validation failed")
TONER_ORDER_NOT_FOUND = ERRORS.define("servicedesk.toner_order_not_found", 404, "Not found")
# Shipped and cancelled are final.
TONER_ORDER_NOT_OPEN = ERRORS.define("servicedesk.toner_order_not_open", 409, "Conflict")

# Knowledge articles.
ARTICLE_NOT_FOUND = ERRORS.define("servicedesk.article_not_found", 404, "Not found")
ARTICLE_TITLE_IN_USE = ERRORS.define("servicedesk.article_title_in_use", 409, "Conflict")

# The staff overview.
CUSTOMER_NOT_FOUND = ERRORS.define("servicedesk.customer_not_found", 404, "Not found")
# identity-service could not be asked about the customer, and servicedesk has no copy of it.
PEER_UNAVAILABLE = ERRORS.define("servicedesk.peer_unavailable", 503, "Service unavailable")
