"""Alembic migrations of payment-service (a package so they ship inside the wheel)."""
