"""Processes of payment-service besides the web tier: migrate, relay, mailer, consumer, reconcile."""
