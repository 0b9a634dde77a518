"""Use cases of servicedesk-service: plain functions over a session, testable without a broker."""
