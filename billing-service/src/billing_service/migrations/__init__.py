"""Alembic migrations of billing-service (a package so they ship inside the wheel)."""
