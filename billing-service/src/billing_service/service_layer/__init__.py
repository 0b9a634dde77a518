"""Use cases of billing-service: plain functions over a session, testable without a broker."""
