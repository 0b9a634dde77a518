"""An admin's invitation, through the gateway: the answer is the same whether the address is new,
another company's user's or one of the admin's own, so inviting tells nobody who uses the portal.
The owner of an address already in use is told by mail instead; no second account is made."""
from __future__ import annotations

import uuid

from stack import Api, Stack, link_token, wait_until


def invite(api: Api, token: str, email: str):
    return api.post("/api/v1/users", {"email": email, "name": "Persona Invitada", "roles": ["billing"]}, token=token)


def shape(response) -> dict:
    """What the admin sees of an answer, but the address it echoes (checked on its own)."""
    return {"status": response.status_code, "content_type": response.headers.get("Content-Type"),
            "headers": sorted(name.lower() for name in response.headers), "body": {**response.json(), "email": "…"}}


def test_an_invitation_answers_alike_whoever_has_the_address(stack: Stack, api: Api, activated_admin):
    _, other_admin_email, _, _ = activated_admin()
    customer, admin_email, _, tokens = activated_admin()
    token = tokens["access_token"]
    new_email = f"nuevo.{uuid.uuid4().hex[:10]}@example.com"

    foreign = invite(api, token, other_admin_email.upper())
    own = invite(api, token, admin_email)
    new = invite(api, token, new_email)

    assert new.status_code == 202, new.text
    assert shape(foreign) == shape(new) and shape(own) == shape(new)
    assert [r.json()["email"] for r in (foreign, own, new)] == [other_admin_email, admin_email, new_email]

    # The new address has a pending user in the admin's company and its invitation.
    listed = api.get("/api/v1/users", token=token)
    assert listed.status_code == 200, listed.text
    [pending] = [item for item in listed.json()["items"] if item["email"] == new_email]
    assert pending["status"] == "pending_activation" and pending["customer_id"] == customer["id"]
    assert link_token(stack.wait_for_mail(new_email)[0], "/activate")

    # The other company's admin keeps one account and is told who tried; nothing to click.
    assert stack.scalar("identity", "SELECT count(*) FROM users WHERE email = :email", email=other_admin_email) == 1
    notice = wait_until(lambda: next((m for m in stack.mail_to(other_admin_email)
                                      if "no second account was made" in m["text"]), None),
                        what=f"the notice to {other_admin_email}")
    assert customer["name"] in notice["text"] and "http" not in notice["text"]
    assert "Persona Invitada" not in notice["text"]
