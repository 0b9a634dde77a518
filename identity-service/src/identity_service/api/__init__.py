"""identity's HTTP API: flask-smorest blueprints, one per area."""
from __future__ import annotations

from flask_smorest import Api

from identity_service.api import auth, customers, jwks, users


def register_blueprints(api: Api) -> None:
    for module in (jwks, auth, users, customers):
        api.register_blueprint(module.blp)
