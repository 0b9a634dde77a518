"""People are told by mail, through the whole stack: an incident's number when it is opened and
each change of its status (servicedesk's events, identity's consumer and mailer), and a published
statement (billing's event) to the company's billing users."""
from __future__ import annotations

import re
from datetime import datetime

from billing_service.domain.calendar import Period
from desk import admin_of, assign, desk_customer, invite, register_device
from portal_shared.auth.roles import BILLING, DEVICE_ADMIN
from stack import DEMO_PASSWORD, Api, SignedInApi, Stack, wait_until
from statements import MEXICO_CITY, state_month_as_its_end_would

NUMBER = re.compile(r"INC-\d{4}-\d{6}")


def mails_about(stack: Stack, address: str, words: str) -> list[dict]:
    return [mail for mail in stack.mail_to(address) if words in mail["subject"]]


def test_an_incident_is_numbered_and_its_people_are_mailed_at_opening_and_each_change(
        stack: Stack, api: Api, operator: Api, activated_admin):
    company = desk_customer(stack, api, activated_admin, (DEVICE_ADMIN,))
    keeper = company.people[DEVICE_ADMIN]
    device = register_device(operator, company)
    assign(api, company, device, keeper)

    opened = api.post("/api/v1/incidents", {
        "device_id": device["id"], "category": "paper_jam", "description": "Atasco en la bandeja 2.",
        "contact": {"name": "Ana Ruiz", "phone": "5555555555", "email": company.admin.email},
    }, token=company.admin.token)
    assert opened.status_code == 201, opened.text
    incident = opened.json()
    assert NUMBER.fullmatch(incident["number"]), incident["number"]
    assert incident["number"].startswith(f"INC-{datetime.now(MEXICO_CITY).year}-")

    # The opener and the device's admin, each once.
    for person in (company.admin, keeper):
        [mail] = wait_until(lambda p=person: mails_about(stack, p.email, incident["number"]),
                            what=f"the incident's confirmation to {person.email}")
        assert mail["subject"] == f"Incidencia {incident['number']} registrada / Incident {incident['number']} opened"
        assert device["serial_number"] in mail["text"] and f"/incidents/{incident['id']}" in mail["text"]

    agent = SignedInApi(stack.gateway_url, "agente@proveedor-demo.mx", DEMO_PASSWORD)
    moved = agent.post(f"/api/v1/incidents/{incident['id']}/status", {"status": "acknowledged"})
    assert moved.status_code == 200, moved.text

    for person in (company.admin, keeper):
        mails = wait_until(lambda p=person: (m := mails_about(stack, p.email, incident["number"])) and len(m) >= 2 and m,
                           what=f"the status change's mail to {person.email}")
        assert [mail["subject"] for mail in mails] == [
            f"Incidencia {incident['number']} registrada / Incident {incident['number']} opened",
            f"Incidencia {incident['number']}: Recibida / Incident {incident['number']}: Acknowledged"]
        assert "«Abierta» a «Recibida»" in mails[1]["text"]
    # The agent did not open it and administers no device of the company: not mailed.
    assert mails_about(stack, "agente@proveedor-demo.mx", incident["number"]) == []


def test_a_published_statement_is_mailed_to_the_companys_billing_users(
        stack: Stack, api: Api, operator: Api, billing_customer):
    billed = billing_customer([("MXN", "2500.00"), ("USD", "100.00")])
    payer = invite(stack, api, admin_of(api, billed.email, billed.password, billed.token), BILLING)
    period = Period.containing(datetime.now(MEXICO_CITY).date())

    assert state_month_as_its_end_would(stack, period, billed.customer["id"])

    [mail] = wait_until(lambda: [m for m in stack.mail_to(payer.email) if "Estado de cuenta" in m["subject"]],
                        what="the statement's mail to the billing user")
    assert f"cuenta {billed.account}" in mail["text"] and "/statements" in mail["text"]
    assert "2,500.00 MXN · 100.00 USD" in mail["text"], mail["text"]
    # The admin who is not a billing user is not told.
    assert [m for m in stack.mail_to(billed.email) if "Estado de cuenta" in m["subject"]] == []
