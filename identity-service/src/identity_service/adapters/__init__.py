"""Persistence: the ORM models of identity's tables, and the password hasher."""
