"""The roles a token can carry (see the design's role table)."""

ADMIN = "admin"
BILLING = "billing"
DEVICE_ADMIN = "device_admin"
STOCK_ADMIN = "stock_admin"
STOCK_DEVICE_ADMIN = "stock_device_admin"
KNOWLEDGE_USER = "knowledge_user"
AGENT = "agent"
OPERATOR = "operator"

# Roles a customer's admin may give to its own people.
CUSTOMER_ROLES = frozenset({ADMIN, BILLING, DEVICE_ADMIN, STOCK_ADMIN, STOCK_DEVICE_ADMIN, KNOWLEDGE_USER})
# The vendor's staff: they belong to no customer.
STAFF_ROLES = frozenset({AGENT, OPERATOR})
ALL_ROLES = CUSTOMER_ROLES | STAFF_ROLES
