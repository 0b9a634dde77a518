"""What a view needs from the app: billing's context, built once by create_app."""
from __future__ import annotations

from flask import current_app

from billing_service.service_layer.context import BillingContext

EXTENSION = "billing.context"


def billing() -> BillingContext:
    return current_app.extensions[EXTENSION]
