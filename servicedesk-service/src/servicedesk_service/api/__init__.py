"""HTTP API of servicedesk-service: flask-smorest blueprints and their marshmallow schemas.

Only health and the OpenAPI document for now; devices, incidents and the rest arrive later.
"""
