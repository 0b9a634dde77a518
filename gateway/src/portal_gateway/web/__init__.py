"""The server-side web UI, rendered with Jinja: sign-in and account pages, billing and payments,
the service desk, user administration, stock and knowledge, and the staff pages."""
from portal_gateway.web.billing import billing
from portal_gateway.web.desk import desk
from portal_gateway.web.knowledge import knowledge
from portal_gateway.web.staff import staff
from portal_gateway.web.stock import stock
from portal_gateway.web.users import users
from portal_gateway.web.account_pages import web

__all__ = ["billing", "desk", "knowledge", "staff", "stock", "users", "web"]
