"""Alembic migrations of servicedesk-service (a package so they ship inside the wheel)."""
