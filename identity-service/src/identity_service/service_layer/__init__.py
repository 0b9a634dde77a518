"""identity's use cases as plain functions; each runs in one database transaction."""
