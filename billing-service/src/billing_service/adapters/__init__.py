"""Persistence: the ORM tables of billing-service and the queries on them."""
