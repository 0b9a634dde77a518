"""Processes besides the web tier: migrations, the outbox relays, demo data."""
