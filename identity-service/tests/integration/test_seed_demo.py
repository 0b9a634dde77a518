"""The demo data: every role signs in, the RFC user waits for its first sign-in, twice is once."""
from __future__ import annotations

from identity_service.entrypoints import seed_demo


def test_seed_is_idempotent_and_every_demo_user_signs_in(portal):
    first = seed_demo.seed(portal.ctx, "Portal-Demo-2026")
    counts = {table: portal.count(table) for table in ("customers", "users", "outbox", "audit_log")}
    second = seed_demo.seed(portal.ctx, "Portal-Demo-2026")
    assert first == second
    assert {table: portal.count(table) for table in counts} == counts
    assert counts["users"] == 9

    for username, password, role, _note in first[1:]:
        response = portal.login(username, password)
        assert response.status_code == 200, (username, response.get_json())
        me = portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['access_token']}"})
        assert me.get_json()["roles"] == [role]
    assert portal.login("CDM850101AB1", "CDM850101AB1").get_json()["must_change_password"] is True
    assert len(portal.events("identity.customer.registered")) == 1
    assert len(portal.events("identity.user.created")) == 9
