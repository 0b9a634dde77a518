"""HTTP API of payment-service: flask-smorest blueprints and their marshmallow schemas.

Only health and the OpenAPI document for now; payment endpoints arrive with the bank adapters.
"""
