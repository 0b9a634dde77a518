"""The constraint naming convention of the services' metadata.

Named constraints: SQLite's batch migrations can only alter constraints that have names.
(identity-service predates this module and keeps its own convention: its migrations use those names.)
"""
from __future__ import annotations

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
