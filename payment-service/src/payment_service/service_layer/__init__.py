"""Use cases of payment-service: plain functions over a session, testable without a broker."""
