"""User names: RFCs upper case, e-mails lower case; roles by kind of user."""
from __future__ import annotations

from identity_service.domain.model import disallowed_roles, normalize_username


def test_usernames_are_normalised():
    assert normalize_username(" cdm850101ab1 ") == "CDM850101AB1"
    assert normalize_username("Ana@Demo.MX") == "ana@demo.mx"


def test_customer_users_hold_customer_roles_only():
    assert disallowed_roles({"admin", "billing"}, is_customer_user=True) == set()
    assert disallowed_roles({"admin", "agent"}, is_customer_user=True) == {"agent"}
    assert disallowed_roles({"operator"}, is_customer_user=False) == set()
    assert disallowed_roles({"admin"}, is_customer_user=False) == {"admin"}
