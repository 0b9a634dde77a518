"""The server-side web UI: sign-in and account pages rendered with Jinja."""
from portal_gateway.web.views import web

__all__ = ["web"]
