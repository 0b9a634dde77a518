"""Processes of billing-service besides the web tier: migrate, relay, consumer."""
