"""HTTP API of billing-service: flask-smorest blueprints and their marshmallow schemas."""
