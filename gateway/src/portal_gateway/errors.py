"""The refusals the gateway answers itself, before or instead of a service (X-Answered-By:
gateway): the common ones every service shares and those of calling a service at all."""
from __future__ import annotations

from portal_shared.errors import COMMON, ErrorCatalogue

GATEWAY_ERRORS = ErrorCatalogue(COMMON)
SERVICE_UNAVAILABLE = GATEWAY_ERRORS.define("gateway.service_unavailable", 503, "Service unavailable")
SERVICE_TIMEOUT = GATEWAY_ERRORS.define("gateway.service_timeout", 504, "Gateway timeout")
SERVICE_INVALID_RESPONSE = GATEWAY_ERRORS.define("gateway.service_invalid_response", 502, "Bad gateway")
