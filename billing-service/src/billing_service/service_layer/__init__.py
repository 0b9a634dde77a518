"""Use cases of billing-service: plain functions over billing's context (context.py), testable without a broker."""
