"""Plain-dict pictures of customers, users and audit entries, built inside the transaction."""
from __future__ import annotations

from typing import Any

from identity_service.adapters.orm import AuditEntry, Customer, User


def customer_view(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.id,
        "rfc": customer.rfc,
        "name": customer.name,
        "system_account_number": customer.system_account_number,
        "account_numbers": customer.account_numbers,
        "created_at": customer.created_at,
    }


def user_view(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "customer_id": user.customer_id,
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        "roles": user.roles,
        "status": user.status,
        "created_at": user.created_at,
    }


def me_view(user: User) -> dict[str, Any]:
    customer = user.customer
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        "roles": user.roles,
        "customer": None
        if customer is None
        else {
            "id": customer.id,
            "rfc": customer.rfc,
            "name": customer.name,
            "system_account_number": customer.system_account_number,
            "account_numbers": customer.account_numbers,
        },
    }


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": entry.occurred_at,
        "actor": {"user_id": entry.actor_user_id, "username": entry.actor_username},
        "customer_id": entry.customer_id,
        "action": entry.action,
        "target": {"type": entry.target_type, "id": entry.target_id},
        "before": entry.before,
        "after": entry.after,
    }


def audit_user(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: never a password hash."""
    return {
        "username": user.username,
        "email": user.email,
        "email_verified": user.email_verified,
        "name": user.name,
        "roles": user.roles,
        "status": user.status,
    }
