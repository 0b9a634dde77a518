"""Customers: registered by the vendor's operators, each with its initial RFC user."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from portal_shared.auth import ADMIN
from portal_shared.db import transaction
from portal_shared.errors import invalid

from identity_service.adapters.orm import Customer, CustomerAccount, User
from identity_service.domain import mail
from identity_service.domain.links import ACTIVATION_PURPOSES, SUPERSEDED
from identity_service.domain.model import PENDING_ACTIVATION, PURPOSE_ACTIVATION, normalize_email
from identity_service.domain.rfc import InvalidRFC, validate_rfc
from identity_service.service_layer import audit, events, tokens
from identity_service.service_layer.audit import Actor
from identity_service.service_layer.auth import email_taken
from identity_service.service_layer.context import Context
from identity_service.service_layer.errors import (
    ALREADY_ACTIVATED,
    ALREADY_REGISTERED,
    CUSTOMER_NOT_FOUND,
    email_in_use,
)
from identity_service.service_layer.views import customer_view

ACCOUNT_NUMBER = re.compile(r"^[0-9A-Z][0-9A-Z-]{0,31}$")


def _clean_account_numbers(values: list[str]) -> list[str]:
    cleaned = [value.strip().upper() for value in values]
    errors = []
    if not cleaned:
        errors.append("Give at least one customer account number.")
    errors += [f"{value!r} is not an account number (digits, letters, '-')." for value in cleaned if not ACCOUNT_NUMBER.match(value)]
    if len(set(cleaned)) != len(cleaned):
        errors.append("An account number appears twice.")
    if errors:
        raise invalid({"account_numbers": errors}, "Invalid: account_numbers.")
    return cleaned


def register_customer(
    ctx: Context, actor: Actor, *, rfc: str, name: str, system_account_number: str, account_numbers: list[str]
) -> dict[str, Any]:
    """The customer, its initial user (RFC / RFC, pending activation, admin) and their events, at once."""
    try:
        rfc = validate_rfc(rfc)
    except InvalidRFC as exc:
        raise invalid({"rfc": [str(exc)]}, "Invalid: rfc.") from None
    numbers = _clean_account_numbers(account_numbers)
    system_number = system_account_number.strip()
    name = name.strip()
    if not name or not system_number:
        empty = {"name": name, "system_account_number": system_number}
        raise invalid({field: ["Must not be empty."] for field, value in empty.items() if not value},
                      "Invalid: required text is empty.")
    with transaction(ctx.session_factory) as db:
        conflicts: dict[str, list[str]] = {}
        if db.scalar(sa.select(Customer.id).where(Customer.rfc == rfc)) or db.scalar(
            sa.select(User.id).where(User.username == rfc)
        ):
            conflicts["rfc"] = ["A customer with this RFC is already registered."]
        if db.scalar(sa.select(Customer.id).where(Customer.system_account_number == system_number)):
            conflicts["system_account_number"] = ["Already used by another customer."]
        taken = db.scalars(sa.select(CustomerAccount.account_number).where(CustomerAccount.account_number.in_(numbers))).all()
        if taken:
            conflicts["account_numbers"] = [f"{number} already belongs to a customer." for number in sorted(taken)]
        if conflicts:
            raise ALREADY_REGISTERED("Already registered: " + ", ".join(sorted(conflicts)) + ".", errors=conflicts)

        now = ctx.clock()
        customer = Customer(rfc=rfc, name=name, system_account_number=system_number, created_at=now)
        customer.accounts = [CustomerAccount(account_number=number) for number in numbers]
        db.add(customer)
        db.flush()
        user = User(
            customer_id=customer.id,
            username=rfc,
            email=None,
            email_verified=False,
            name=name,
            # The first sign-in is RFC / RFC; hashed like any password so nothing special is stored.
            password_hash=ctx.passwords.hash(rfc),
            status=PENDING_ACTIVATION,
            created_at=now,
            updated_at=now,
        )
        user.set_roles({ADMIN})
        db.add(user)
        db.flush()
        events.customer_registered(db, ctx, customer, numbers)
        events.user_created(db, ctx, user, [ADMIN])
        view = customer_view(customer)
        view["account_numbers"] = numbers
        audit.record(
            db, ctx, actor, action="customer.created", target_type="customer", target_id=customer.id,
            customer_id=customer.id,
            after={"rfc": rfc, "name": name, "system_account_number": system_number, "account_numbers": numbers,
                   "initial_user_id": user.id},
        )
        return view


def list_customers(ctx: Context, *, rfc: str | None = None) -> list[dict[str, Any]]:
    with transaction(ctx.session_factory) as db:
        query = sa.select(Customer).order_by(Customer.name, Customer.rfc)
        if rfc:
            query = query.where(Customer.rfc == rfc.strip().upper())
        return [customer_view(customer) for customer in db.scalars(query)]


def get_customer(ctx: Context, customer_id: str) -> dict[str, Any]:
    with transaction(ctx.session_factory) as db:
        customer = db.get(Customer, customer_id)
        if customer is None:
            raise CUSTOMER_NOT_FOUND("No such customer.")
        return customer_view(customer)


def send_activation_link(ctx: Context, actor: Actor, *, customer_id: str, email: str) -> dict[str, Any]:
    """Instead of the RFC first sign-in: a link to the customer's main contact."""
    address = normalize_email(email)
    with transaction(ctx.session_factory) as db:
        customer = db.get(Customer, customer_id)
        if customer is None:
            raise CUSTOMER_NOT_FOUND("No such customer.")
        user = db.scalar(sa.select(User).where(User.username == customer.rfc).with_for_update())
        if user is None or user.status != PENDING_ACTIVATION:
            raise ALREADY_ACTIVATED("This customer's main account is already activated.")
        if email_taken(db, address, by_other_than=user.id):
            raise email_in_use()
        ttl = int(ctx.settings["INVITATION_TOKEN_TTL_SECONDS"])
        # A link sent again (perhaps to a corrected address) replaces the one sent before.
        tokens.cancel_links(db, ctx, user.id, ACTIVATION_PURPOSES, reason=SUPERSEDED)
        raw = tokens.mint_link(db, ctx, user=user, purpose=PURPOSE_ACTIVATION, email=address,
                               ttl_setting="INVITATION_TOKEN_TTL_SECONDS")
        message = mail.activation(ctx.link("/activate", raw), customer.name, customer.rfc, ttl)
        ctx.outbox.add_mail(db, to=address, subject=message.subject, text=message.text)
        audit.record(db, ctx, actor, action="user.activation_link_sent", target_type="user", target_id=user.id,
                     customer_id=customer.id, after={"email": address})
        return {"user_id": user.id, "email": address, "expires_in": ttl}
