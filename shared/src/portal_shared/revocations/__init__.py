"""The revocations a service keeps in its own database, and the consumer handler that keeps them."""
from portal_shared.revocations.table import (
    SqlRevocationSource,
    create_revocations_table,
    define_revocations,
    drop_revocations_table,
    record_revocation,
    revoked_access_handler,
)

__all__ = ["SqlRevocationSource", "create_revocations_table", "define_revocations", "drop_revocations_table",
           "record_revocation",
           "revoked_access_handler"]
