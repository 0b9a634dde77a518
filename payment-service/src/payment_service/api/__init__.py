"""HTTP API of payment-service: flask-smorest blueprints (payments.py) and their marshmallow schemas."""
