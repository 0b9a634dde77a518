"""HTTP API of servicedesk-service: flask-smorest blueprints and their marshmallow schemas.

Devices, their locations and meter readings; health and the OpenAPI document come from portal_shared.
"""
