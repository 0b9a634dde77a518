"""The public keys that verify identity's tokens."""
from __future__ import annotations

from flask_smorest import Blueprint

from identity_service.api.context import identity

blp = Blueprint("jwks", __name__, description="Token verification keys")


@blp.route("/.well-known/jwks.json", methods=["GET"])
@blp.doc(summary="JWKS: the public keys of the access-token signer")
# Documented by hand (no schema serializes it): without a 200 the document said this answered
# with the error body.
@blp.alt_response(200, description="The key set (RFC 7517)", success=True, schema={
    "type": "object", "required": ["keys"],
    "properties": {"keys": {"type": "array", "items": {"type": "object", "required": ["kty", "kid"],
                                                       "properties": {"kty": {"type": "string"},
                                                                      "kid": {"type": "string"}}}}},
})
def jwks():
    response = identity().signer.jwks()
    return response, 200, {"Cache-Control": "public, max-age=300"}
