"""Event handlers: each takes (session, event) and runs inside the consumer's transaction.

The consumer records the event in the inbox in that same transaction, so a redelivered
event never reaches these functions; they are also idempotent on their own (natural keys),
because identity may publish the same facts again under a new event id.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal_shared.contracts import Event
from servicedesk_service.adapters.orm import Customer, CustomerAccount, User, UserRole
from servicedesk_service.domain.directory import normalize_rfc, normalize_roles


def customer_registered(session: Session, event: Event) -> None:
    """identity.customer.registered v1: add the customer to the directory."""
    data = event.data
    if session.get(Customer, data["customer_id"]) is None:
        session.add(
            Customer(
                id=data["customer_id"],
                rfc=normalize_rfc(data["rfc"]),
                name=data["name"],
                system_account_number=data["system_account_number"],
                registered_at=event.occurred_at,
            )
        )
        session.flush()
    # Its accounts: which account numbers a device of this customer may be registered under.
    for number in data["account_numbers"]:
        if session.get(CustomerAccount, number) is None:
            session.add(CustomerAccount(account_number=number, customer_id=data["customer_id"]))
    session.flush()


def user_created(session: Session, event: Event) -> None:
    """identity.user.created v1: add the user, with the roles it was created with, to the directory."""
    data = event.data
    if session.get(User, data["user_id"]) is not None:
        return
    session.add(
        User(
            id=data["user_id"],
            customer_id=data["customer_id"],
            username=data["username"],
            email=data["email"],
            created_at=event.occurred_at,
            roles_as_of=event.occurred_at,
            role_rows=[UserRole(role=role) for role in normalize_roles(data["roles"])],
        )
    )
    session.flush()


class UnknownUser(Exception):
    """A roles change for a user whose creation has not arrived yet: retried until it has."""


def user_roles_changed(session: Session, event: Event) -> None:
    """identity.user.roles_changed v1: replace the user's roles, unless a newer change is already held."""
    data = event.data
    user = session.get(User, data["user_id"])
    if user is None:
        raise UnknownUser(f"user {data['user_id']} is not in the directory yet")
    if user.roles_as_of >= event.occurred_at:
        return
    user.role_rows = [UserRole(role=role) for role in normalize_roles(data["roles"])]
    user.roles_as_of = event.occurred_at
    session.flush()
