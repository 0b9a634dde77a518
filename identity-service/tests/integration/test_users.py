"""Admins manage their own company's users; agents correct e-mails; every change is audited."""
from __future__ import annotations

import pytest

from portal_shared.errors import UseCaseError


@pytest.fixture
def company(portal):
    customer = portal.customer()
    other = portal.customer(rfc="OTR900101XY9", name="Otra Empresa", system="2000001", accounts=("009900",))
    portal.admin(customer["id"])
    portal.user("dev@demo.mx", ["device_admin"], customer["id"])
    portal.user("otro@otra.mx", ["admin"], other["id"])
    portal.user("agente@vendor.mx", ["agent"], None)
    return {"customer": customer, "other": other}


def user_id(portal, username):
    return portal.rows("users", username=username)[0]["id"]


def test_admin_invites_a_user_who_activates(portal, company):
    headers = portal.auth("ana@demo.mx")
    response = portal.client.post("/api/v1/users", headers=headers,
                                  json={"email": "Nuevo@Demo.mx", "name": "Nuevo", "roles": ["billing", "stock_admin"]})
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"email": "nuevo@demo.mx", "status": "invitation_sent"}
    # The answer carries no id: the new user is found in the company's list.
    listed = portal.client.get("/api/v1/users", headers=headers).get_json()["items"]
    [invited] = [item for item in listed if item["email"] == "nuevo@demo.mx"]
    assert invited["status"] == "pending_activation" and invited["roles"] == ["billing", "stock_admin"]
    assert invited["customer_id"] == company["customer"]["id"]
    [created] = [e for e in portal.events("identity.user.created") if e["data"]["user_id"] == invited["id"]]
    assert created["data"]["email"] == "nuevo@demo.mx"
    [entry] = portal.rows("audit_log", action="user.invited")
    assert entry["actor_username"] == "ana@demo.mx" and entry["target_id"] == invited["id"]

    token = portal.link_token("nuevo@demo.mx", "/activate")
    assert portal.client.post("/api/v1/auth/activate",
                              json={"token": token, "new_password": "Tortuga-Feliz-Nada-5"}).status_code == 204
    me = portal.client.get("/api/v1/me", headers=portal.auth("nuevo@demo.mx", "Tortuga-Feliz-Nada-5")).get_json()
    assert me["roles"] == ["billing", "stock_admin"] and me["email_verified"] is True


def invite(portal, headers, email, name="Persona Invitada", roles=("billing",)):
    return portal.client.post("/api/v1/users", headers=headers, json={"email": email, "name": name, "roles": list(roles)})


def answer_shape(response) -> dict:
    """Everything an admin sees of an answer but the address it echoes (checked on its own)."""
    return {"status": response.status_code, "content_type": response.headers["Content-Type"],
            "headers": sorted(name.lower() for name in response.headers.keys()),
            "body": {**response.get_json(), "email": "…"}}


def user_rows(portal, email):
    """A user's rows as stored, roles included, so that any write to them shows."""
    found = portal.rows("users", email=email)
    return [{**row, "roles": sorted(r["role"] for r in portal.rows("user_roles", user_id=row["id"]))} for row in found]


def test_an_invitation_answers_the_same_whoever_has_the_address(portal, company):
    headers = portal.auth("ana@demo.mx")
    own, foreign = user_rows(portal, "dev@demo.mx"), user_rows(portal, "otro@otra.mx")
    users_before, events_before = portal.count("users"), portal.events()
    audit_before = portal.client.get("/api/v1/audit-log", headers=headers).get_json()["items"]

    # Another company's user and one of the admin's own, written as people type them.
    taken = {sent: invite(portal, headers, sent) for sent in ("Otro@Otra.MX", "Dev@DEMO.mx")}
    for sent, response in taken.items():
        assert response.get_json()["email"] == sent.lower()
    # Nothing about the existing accounts was written, and no second account made.
    assert user_rows(portal, "dev@demo.mx") == own and user_rows(portal, "otro@otra.mx") == foreign
    assert portal.count("users") == users_before
    assert portal.events() == events_before and portal.rows("one_time_tokens") == []
    # The audit log the admin reads says nothing about those attempts either.
    assert portal.client.get("/api/v1/audit-log", headers=headers).get_json()["items"] == audit_before

    new = invite(portal, headers, "Nueva@Demo.mx")
    assert new.get_json()["email"] == "nueva@demo.mx"
    assert {answer_shape(response)["status"] for response in taken.values()} == {202}
    for response in taken.values():
        assert answer_shape(response) == answer_shape(new)

    # The new address got a pending user of the admin's company and its invitation.
    [pending] = portal.rows("users", email="nueva@demo.mx")
    assert pending["status"] == "pending_activation" and pending["customer_id"] == company["customer"]["id"]
    assert portal.count("users") == users_before + 1
    assert portal.link_token("nueva@demo.mx", "/activate")
    [created] = portal.events()[len(events_before):]
    assert created["type"] == "identity.user.created" and created["data"]["user_id"] == pending["id"]

    # Each existing person was told instead: which company tried, no link, nothing the admin typed.
    for address in ("otro@otra.mx", "dev@demo.mx"):
        [notice] = portal.mails(address)
        assert "Comercializadora Demo SA de CV" in notice["subject"] + notice["text"], notice
        assert "no second account was made" in notice["text"] and "no se creó una segunda cuenta" in notice["text"]
        assert "http" not in notice["text"] and "Persona Invitada" not in notice["text"]
        assert "billing" not in notice["text"]


def test_an_address_taken_at_the_same_moment_answers_as_one_taken_before(portal, company, monkeypatch):
    from identity_service.service_layer import users

    headers = portal.auth("ana@demo.mx")
    foreign, users_before, events_before = user_rows(portal, "otro@otra.mx"), portal.count("users"), portal.events()
    # As if another request saved the address between this one's look-up and its insert.
    monkeypatch.setattr(users, "_address_in_use", lambda *_args, **_kwargs: False)
    raced = invite(portal, headers, "otro@otra.mx")
    assert raced.status_code == 202, raced.get_json()
    assert raced.get_json() == {"email": "otro@otra.mx", "status": "invitation_sent"}
    assert user_rows(portal, "otro@otra.mx") == foreign and portal.count("users") == users_before
    assert portal.events() == events_before
    [notice] = portal.mails("otro@otra.mx")
    assert "Comercializadora Demo SA de CV" in notice["text"]


def test_an_address_in_use_gets_a_few_notices_per_day_and_the_same_answer(portal, company, clock):
    headers = portal.auth("ana@demo.mx")
    answers = [invite(portal, headers, "otro@otra.mx") for _ in range(5)]
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {(202, answers[0].get_data(as_text=True))}
    assert len(portal.mails("otro@otra.mx")) == 3
    clock.advance(days=1, seconds=1)
    assert invite(portal, headers, "otro@otra.mx").status_code == 202
    assert len(portal.mails("otro@otra.mx")) == 4


def test_invitations_are_validated_before_the_address_is_looked_up(portal, company):
    headers = portal.auth("ana@demo.mx")
    for address in ("otro@otra.mx", "nadie@demo.mx"):
        wrong_role = invite(portal, headers, address, roles=["operator"])
        assert wrong_role.status_code == 422 and wrong_role.get_json()["errors"] == {
            "roles.0": ["Must be one of: admin, billing, device_admin, knowledge_user, stock_admin, "
                        "stock_device_admin."]}
        assert wrong_role.get_json()["code"] == "request.invalid"
        by_device_admin = invite(portal, portal.auth("dev@demo.mx"), address)
        assert by_device_admin.status_code == 403
        assert by_device_admin.get_json()["code"] == "auth.forbidden"
    bad_address = invite(portal, headers, "no-es-correo")
    assert bad_address.status_code == 422 and "email" in bad_address.get_json()["errors"]
    assert portal.rows("users", email="nadie@demo.mx") == [] and portal.mails() == []


def test_only_customer_roles_can_be_given(portal, company):
    response = portal.client.post("/api/v1/users", headers=portal.auth("ana@demo.mx"),
                                  json={"email": "x@demo.mx", "name": "X", "roles": ["operator"]})
    assert response.status_code == 422 and "roles.0" in response.get_json()["errors"]


def test_role_changes_only_by_admin(portal, company):
    dev = user_id(portal, "dev@demo.mx")
    by_device_admin = portal.client.patch(f"/api/v1/users/{dev}", json={"roles": ["admin"]},
                                          headers=portal.auth("dev@demo.mx"))
    assert by_device_admin.status_code == 403
    by_device_admin_invite = portal.client.post("/api/v1/users", headers=portal.auth("dev@demo.mx"),
                                                json={"email": "y@demo.mx", "name": "Y", "roles": ["admin"]})
    assert by_device_admin_invite.status_code == 403
    by_agent = portal.client.patch(f"/api/v1/users/{dev}", json={"roles": ["admin"]},
                                   headers=portal.auth("agente@vendor.mx"))
    assert by_agent.status_code == 403

    by_admin = portal.client.patch(f"/api/v1/users/{dev}", json={"roles": ["admin", "device_admin"]},
                                   headers=portal.auth("ana@demo.mx"))
    assert by_admin.status_code == 200
    assert by_admin.get_json()["roles"] == ["admin", "device_admin"]
    [changed] = portal.events("identity.user.roles_changed")
    assert changed["data"]["roles"] == ["admin", "device_admin"]
    [entry] = portal.rows("audit_log", action="user.roles_changed")
    assert entry["before"] == {"roles": ["device_admin"]} and entry["after"] == {"roles": ["admin", "device_admin"]}
    # The new role shows in the next token.
    assert portal.client.get("/api/v1/users", headers=portal.auth("dev@demo.mx")).status_code == 200


def test_the_last_admin_keeps_the_role(portal, company):
    ana = user_id(portal, "ana@demo.mx")
    response = portal.client.patch(f"/api/v1/users/{ana}", json={"roles": ["billing"]}, headers=portal.auth("ana@demo.mx"))
    assert response.status_code == 409
    assert response.get_json()["code"] == "identity.last_admin" and "roles" in response.get_json()["errors"]


def test_another_customers_users_are_not_found(portal, company):
    headers = portal.auth("ana@demo.mx")
    other = user_id(portal, "otro@otra.mx")
    not_found = portal.client.get(f"/api/v1/users/{other}", headers=headers)
    assert not_found.status_code == 404 and not_found.get_json()["code"] == "identity.user_not_found"
    assert portal.client.patch(f"/api/v1/users/{other}", json={"name": "x"}, headers=headers).status_code == 404
    assert portal.client.delete(f"/api/v1/users/{other}", headers=headers).status_code == 404
    listed = portal.client.get("/api/v1/users", headers=headers).get_json()["items"]
    assert {item["username"] for item in listed} == {"CDM850101AB1", "ana@demo.mx", "dev@demo.mx"}
    # The customer comes from the token: a customer_id in the URL does not widen an admin's view.
    listed = portal.client.get(f"/api/v1/users?customer_id={company['other']['id']}", headers=headers).get_json()["items"]
    assert "otro@otra.mx" not in {item["username"] for item in listed}


def test_agent_corrects_an_email(portal, company):
    dev = user_id(portal, "dev@demo.mx")
    headers = portal.auth("agente@vendor.mx")
    response = portal.client.patch(f"/api/v1/users/{dev}", json={"email": "Dev.Nuevo@demo.mx"}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["email"] == "dev.nuevo@demo.mx"
    assert response.get_json()["email_verified"] is False
    assert "/verify-email?token=" in portal.mails("dev.nuevo@demo.mx")[0]["text"]
    [entry] = portal.rows("audit_log", action="user.email_corrected")
    assert entry["actor_username"] == "agente@vendor.mx"
    assert entry["before"]["email"] == "dev@demo.mx" and entry["after"]["email"] == "dev.nuevo@demo.mx"

    name_change = portal.client.patch(f"/api/v1/users/{dev}", json={"name": "Otro"}, headers=headers)
    assert name_change.status_code == 403
    assert name_change.get_json()["code"] == "identity.agent_change_not_allowed"
    assert name_change.get_json()["errors"] == {"name": ["Not changeable by customer service."]}
    by_admin = portal.client.patch(f"/api/v1/users/{dev}", json={"email": "z@demo.mx"}, headers=portal.auth("ana@demo.mx"))
    assert by_admin.status_code == 403
    assert by_admin.get_json()["code"] == "identity.email_change_not_allowed"
    taken = portal.client.patch(f"/api/v1/users/{dev}", json={"email": "ana@demo.mx"}, headers=headers)
    assert taken.status_code == 409
    assert taken.get_json()["code"] == "identity.email_in_use" and "email" in taken.get_json()["errors"]


def test_agent_cannot_reach_staff_accounts(portal, company):
    portal.user("operador@vendor.mx", ["operator"], None)
    portal.user("otro.agente@vendor.mx", ["agent"], None)
    headers = portal.auth("agente@vendor.mx")
    for staff in ("operador@vendor.mx", "otro.agente@vendor.mx"):
        staff_id = user_id(portal, staff)
        assert portal.client.get(f"/api/v1/users/{staff_id}", headers=headers).status_code == 404
        takeover = portal.client.patch(f"/api/v1/users/{staff_id}", json={"email": "mine@evil.mx"}, headers=headers)
        assert takeover.status_code == 404
        assert portal.rows("users", username=staff)[0]["email"] != "mine@evil.mx"


def test_agent_lists_users_of_a_named_customer(portal, company):
    headers = portal.auth("agente@vendor.mx")
    missing = portal.client.get("/api/v1/users", headers=headers)
    assert missing.status_code == 422 and "customer_id" in missing.get_json()["errors"]
    assert missing.get_json()["code"] == "request.invalid"
    listed = portal.client.get(f"/api/v1/users?customer_id={company['other']['id']}", headers=headers)
    assert [item["username"] for item in listed.get_json()["items"]] == ["OTR900101XY9", "otro@otra.mx"]


def test_disable_revokes_sign_ins(portal, company):
    dev = user_id(portal, "dev@demo.mx")
    tokens = portal.login("dev@demo.mx").get_json()
    assert portal.client.delete(f"/api/v1/users/{dev}", headers=portal.auth("ana@demo.mx")).status_code == 204
    assert portal.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert portal.login("dev@demo.mx").status_code == 401
    # An access token issued before still verifies, but identity re-reads the user.
    assert portal.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    [entry] = portal.rows("audit_log", action="user.disabled")
    assert entry["before"]["status"] == "active" and entry["after"]["status"] == "disabled"
    own = portal.client.delete(f"/api/v1/users/{user_id(portal, 'ana@demo.mx')}", headers=portal.auth("ana@demo.mx"))
    assert own.status_code == 409 and own.get_json()["code"] == "identity.cannot_disable_self"


def test_audit_log_is_scoped(portal, company):
    dev = user_id(portal, "dev@demo.mx")
    portal.client.patch(f"/api/v1/users/{dev}", json={"name": "Dev Renombrado"}, headers=portal.auth("ana@demo.mx"))
    entries = portal.client.get("/api/v1/audit-log", headers=portal.auth("ana@demo.mx")).get_json()["items"]
    assert entries[0]["action"] == "user.renamed"
    assert entries[0]["actor"]["username"] == "ana@demo.mx"
    assert {entry["customer_id"] for entry in entries} == {company["customer"]["id"]}
    assert portal.client.get("/api/v1/audit-log", headers=portal.auth("dev@demo.mx")).status_code == 403
    by_agent = portal.client.get(f"/api/v1/audit-log?customer_id={company['other']['id']}",
                                 headers=portal.auth("agente@vendor.mx")).get_json()["items"]
    assert {entry["customer_id"] for entry in by_agent} == {company["other"]["id"]}


def test_a_user_name_is_taken_once(portal, company):
    with pytest.raises(UseCaseError) as refused:
        portal.user("dev@demo.mx", ["billing"], company["customer"]["id"])
    assert refused.value.code == "identity.username_taken"
    assert refused.value.errors == {"username": ["Already in use."]}
