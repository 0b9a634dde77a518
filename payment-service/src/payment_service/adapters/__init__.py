"""Persistence: the ORM tables of payment-service and the queries on them."""
