"""The public keys that verify identity's tokens."""
from __future__ import annotations

from flask_smorest import Blueprint

from identity_service.api.context import identity

blp = Blueprint("jwks", __name__, description="Token verification keys")


@blp.route("/.well-known/jwks.json", methods=["GET"])
@blp.doc(summary="JWKS: the public keys of the access-token signer")
def jwks():
    response = identity().signer.jwks()
    return response, 200, {"Cache-Control": "public, max-age=300"}
