"""Billing rules in plain Python: no database, no broker."""
