"""Persistence: the ORM tables of servicedesk-service and the queries on them."""
