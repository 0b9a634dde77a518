"""Every form of the web UI refuses a POST without its CSRF token, or with another session's,
with a 400, and nothing changes.

The forms are found the way a reviewer would find them: every method="post" form in the
gateway's templates, each action matched to the UI's POST routes; a new form whose route the
test does not know fails here until it is added.
"""
from __future__ import annotations

import re
import uuid

import requests

from attacks import browser_session, csrf_token
from desk import create_stock_location, desk_customer, ids, invite, open_incident, register_device
from portal_gateway import create_app
from portal_shared.auth.roles import KNOWLEDGE_USER
from stack import ROOT, Api, Stack

TEMPLATES = ROOT / "gateway/src/portal_gateway/templates"
FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>", re.IGNORECASE)
ACTION = re.compile(r"url_for\('([\w.]+)'")
# Forms without an action post to the page that shows them.
SELF_POSTING = {"_token_password.html": ("web.reset_password", "web.activate")}


def form_endpoints() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        for form in FORM.finditer(path.read_text()):
            tag = form.group(0)
            action = ACTION.search(tag)
            if action:
                found.add(action.group(1))
            else:
                assert path.name in SELF_POSTING, f"{path.name}: a form without an action the test does not know"
                found.update(SELF_POSTING[path.name])
    return found


def post_routes(tmp_path) -> dict[str, str]:
    app = create_app({"VAR_DIR": str(tmp_path), "SECRET_KEY": "routes-only", "CONFIGURE_LOGGING": False})
    return {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")}


def test_every_form_refuses_a_post_without_its_own_csrf_token(stack: Stack, api: Api, operator: Api,
                                                              activated_admin, tmp_path):
    routes = post_routes(tmp_path)
    forms = form_endpoints()
    assert forms <= set(routes), f"forms posting to no POST route: {forms - set(routes)}"
    assert set(routes) <= forms, f"POST routes no template form uses (test them too): {set(routes) - forms}"

    company = desk_customer(stack, api, activated_admin)
    person = invite(stack, api, company.admin, KNOWLEDGE_USER)
    device = register_device(operator, company)
    incident = open_incident(api, company.admin.token, device["id"])
    location = create_stock_location(api, company.admin.token)
    # A payment to cancel need not exist: a form that skipped the token check would answer with
    # its own redirect instead of the refusal, which the loop below catches.
    real = {"user_id": person.id, "device_id": device["id"], "incident_id": incident["id"],
            "location_id": location["id"], "customer_id": company.id, "payment_id": str(uuid.uuid4())}

    base = stack.gateway_url
    victim = browser_session(base, company.admin.email, company.admin.password)
    other_signed_in = browser_session(base, company.admin.email, company.admin.password)
    others = {"another signed-in session's": csrf_token(other_signed_in, f"{base}/password"),
              "an anonymous session's": csrf_token(requests.Session(), f"{base}/login")}
    # What each form would send: enough that a form accepting it would change something.
    fields = {"username": company.admin.email, "password": company.admin.password,
              "current_password": company.admin.password, "new_password": "Cambiada-Por-Atacante-1",
              "new_password_confirm": "Cambiada-Por-Atacante-1", "confirm": "Cambiada-Por-Atacante-1",
              "email": f"atacante.{uuid.uuid4().hex[:6]}@example.com", "name": "Atacante", "roles": "admin",
              "location": "Cambiada por el atacante", "text": "Comentario del atacante", "status": "cancelled",
              "counter-bn": "999999", "counter-color": "999999", "device_id": device["id"], "category": "paper_jam",
              "description": "Abierta por el atacante", "bank": "bbva", "token": "x", "user_ids": person.id,
              "toner_item": "GPR-58 K", "quantity": "99", "reorder_point": "1", "shipping_address": "Otra",
              "shipping_instructions": "Otra", "idempotency_key": uuid.uuid4().hex}

    before = {
        "users": ids(api.get("/api/v1/users", token=company.admin.token)),
        "device": api.get(f"/api/v1/devices/{device['id']}", token=company.admin.token).json(),
        "incidents": ids(api.get("/api/v1/incidents", token=company.admin.token)),
        "incident": api.get(f"/api/v1/incidents/{incident['id']}", token=company.admin.token).json(),
        "location": api.get(f"/api/v1/stock-locations/{location['id']}", token=company.admin.token).json(),
        "person": api.get(f"/api/v1/users/{person.id}", token=company.admin.token).json(),
    }
    wrong: list[str] = []
    for endpoint in sorted(forms):
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: real[m.group(1)], routes[endpoint])
        attempts = {"no token": dict(fields), **{f"{whose} token": {**fields, "csrf_token": token}
                                                  for whose, token in others.items()}}
        for what, data in attempts.items():
            response = victim.post(f"{base}{path}", data=data, allow_redirects=False, timeout=15,
                                   headers={"Referer": f"{base}{path}"})
            # The CSRF refusal itself, not a form's own validation (which also answers 400).
            if response.status_code != 400 or "El formulario expiró" not in response.text:
                wrong.append(f"POST {path} ({endpoint}) with {what}: {response.status_code}")
    assert not wrong, "\n".join(wrong)

    # Nothing changed: the session is still signed in (logout refused), the password is the old
    # one, and every object is as it was.
    assert victim.get(f"{base}/", allow_redirects=False, timeout=15).status_code == 200
    assert api.post("/api/v1/auth/login", {"username": company.admin.email,
                                           "password": company.admin.password}).status_code == 200
    after = {
        "users": ids(api.get("/api/v1/users", token=company.admin.token)),
        "device": api.get(f"/api/v1/devices/{device['id']}", token=company.admin.token).json(),
        "incidents": ids(api.get("/api/v1/incidents", token=company.admin.token)),
        "incident": api.get(f"/api/v1/incidents/{incident['id']}", token=company.admin.token).json(),
        "location": api.get(f"/api/v1/stock-locations/{location['id']}", token=company.admin.token).json(),
        "person": api.get(f"/api/v1/users/{person.id}", token=company.admin.token).json(),
    }
    assert after == before
    assert not stack.mail_to(fields["email"]), "an invitation went out"
