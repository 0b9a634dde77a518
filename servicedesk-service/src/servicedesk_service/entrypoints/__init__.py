"""Processes of servicedesk-service besides the web tier: migrate, relay, consumer."""
