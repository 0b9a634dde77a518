"""The server-side web UI: sign-in and account pages, and the billing and payment pages, rendered with Jinja."""
from portal_gateway.web.billing import billing
from portal_gateway.web.views import web

__all__ = ["billing", "web"]
