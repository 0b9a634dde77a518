"""Customers, registered and looked up by the vendor's staff."""
from __future__ import annotations

from flask_smorest import Blueprint

from portal_shared.auth import AGENT, OPERATOR
from portal_shared.auth.flask import require_auth

from identity_service.api import schemas
from identity_service.api.context import BEARER, acting, identity
from identity_service.service_layer import customers

blp = Blueprint("customers", __name__, url_prefix="/api/v1/customers", description="Customers (staff)")


@blp.route("", methods=["POST"])
@require_auth(OPERATOR)
@blp.doc(security=BEARER)
@blp.arguments(schemas.CustomerCreateSchema)
@blp.response(201, schemas.CustomerSchema)
def register_customer(body):
    """Register a customer with its initial user (RFC / RFC, pending activation, admin)."""
    actor = acting(OPERATOR)
    return customers.register_customer(identity(), actor, **body)


@blp.route("", methods=["GET"])
@require_auth(OPERATOR, AGENT)
@blp.doc(security=BEARER)
@blp.arguments(schemas.CustomersQuerySchema, location="query")
@blp.response(200, schemas.CustomersSchema)
def list_customers(query):
    acting(OPERATOR, AGENT)
    return {"items": customers.list_customers(identity(), rfc=query.get("rfc"))}


@blp.route("/<string:customer_id>", methods=["GET"])
@require_auth(OPERATOR, AGENT)
@blp.doc(security=BEARER)
@blp.response(200, schemas.CustomerSchema)
def get_customer(customer_id):
    acting(OPERATOR, AGENT)
    return customers.get_customer(identity(), customer_id)


@blp.route("/<string:customer_id>/activation-link", methods=["POST"])
@require_auth(OPERATOR)
@blp.doc(security=BEARER)
@blp.arguments(schemas.ActivationLinkSchema)
@blp.response(202, schemas.ActivationLinkSentSchema)
def send_activation_link(body, customer_id):
    """Mail an activation link to the customer's main contact instead of the RFC first sign-in."""
    actor = acting(OPERATOR)
    return customers.send_activation_link(identity(), actor, customer_id=customer_id, email=body["email"])
