"""The service desk as people use it: a device admin reads the meter (every counter at once) and opens an incident, known
from then on by its number and confirmed by mail; an agent finds it and the customer's last payment on the customer's
overview and acknowledges it, and the device admin is mailed the change."""
from __future__ import annotations

import re
import uuid

import requests

from desk import DeskCustomer, admin_of, assign, invite, read_yesterday, register_device
from portal_shared.auth.roles import DEVICE_ADMIN
from stack import DEMO_PASSWORD, Api, Stack, wait_until

AGENT = "agente@proveedor-demo.mx"


def sign_in(page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.gateway_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("Cerrar sesión|Sign out", re.I)).click()
    page.wait_for_url(re.compile(r"/login"))


def paid_at_bbva(api: Api, token: str, invoice: dict) -> dict:
    """The customer pays one invoice at BBVA's page and the bank approves: a confirmed payment."""
    started = api.post("/api/v1/payments", {"bank": "bbva", "items": [{"invoice_id": invoice["id"],
                                                                       "amount": invoice["pending_amount"]}]},
                       token=token, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert started.status_code == 201, started.text
    payment = started.json()
    at_bank = requests.post(payment["redirect_url"], timeout=15, allow_redirects=False,
                            data={"outcome": "approve", "email": "tesoreria@example.com", "phone": "5512345678"})
    assert at_bank.status_code in (302, 303), at_bank.text[:300]
    return wait_until(lambda: (p := api.get(f"/api/v1/payments/{payment['id']}", token=token).json())["status"]
                      == "confirmed" and p, what="the payment confirmed by the bank")


def submit_reading(page, values: dict[str, str]) -> None:
    """One value typed into each counter's field, then one submit."""
    for counter, value in values.items():
        page.fill(f"#counter-{counter}", value)
    page.click("#reading-submit")
    page.wait_for_load_state()


def test_device_admin_reads_the_meter_and_opens_an_incident_the_agent_then_sees(
        stack: Stack, page, api: Api, operator: Api, billing_customer):
    billed = billing_customer([("MXN", "1800.00")])
    company = DeskCustomer(billed.customer, admin_of(api, billed.email, billed.password, billed.token))
    person = invite(stack, api, company.admin, DEVICE_ADMIN)
    device = register_device(operator, company, counters=("bn", "color"), response_hours=4)
    elsewhere = register_device(operator, company)  # the company's, not in the person's charge
    assign(api, company, device, person)
    read_yesterday(operator, device, {"bn": 5_000, "color": 1_200})
    payment = paid_at_bbva(api, billed.token, billed.invoices[0])

    sign_in(page, stack, person.email, person.password)
    page.goto(f"{stack.gateway_url}/devices")
    assert elsewhere["serial_number"] not in page.inner_text("main")
    page.click(f"a[href*='/devices/{device['id']}']")
    page.wait_for_url(re.compile(rf"/devices/{device['id']}"))

    # One field per counter, each labelled in the page's language.
    assert page.inner_text("label[for=counter-bn]") == "Negro"
    assert page.inner_text("label[for=counter-color]") == "Color"
    # B/W lower than yesterday's 5,000 (colour went up): refused next to the B/W field, with the
    # previous reading and its day; nothing is said against colour.
    submit_reading(page, {"bn": "4,900", "color": "1,250"})
    refusal = page.inner_text("#counter-bn-errors")
    assert "5,000" in refusal, refusal
    yesterday = api.get(f"/api/v1/devices/{device['id']}/meter-readings", token=person.token).json()["items"][0]
    day, month, year = yesterday["read_on"][8:10], yesterday["read_on"][5:7], yesterday["read_on"][:4]
    assert f"{day}/{month}/{year}" in refusal, refusal
    assert page.locator("#counter-color-errors").count() == 0

    submit_reading(page, {"bn": "5,250", "color": "1,300"})
    notice = page.wait_for_selector(".notice-ok").inner_text()
    assert "5,250" in notice and "1,300" in notice, notice
    readings = api.get(f"/api/v1/devices/{device['id']}/meter-readings", token=person.token).json()["items"]
    assert [[(c["counter"], c["value"], c["previous_value"]) for c in r["counters"]] for r in readings] == [
        [("bn", 5_250, 5_000), ("color", 1_300, 1_200)], [("bn", 5_000, None), ("color", 1_200, None)]]
    # The history: one row a day, a column per counter.
    row = page.inner_text(f"#reading-{readings[0]['id']}")
    assert "5,250" in row and "1,300" in row, row
    row = page.inner_text(f"#reading-{readings[1]['id']}")
    assert "5,000" in row and "1,200" in row, row

    # A second reading the same day: refused, and nothing is written.
    submit_reading(page, {"bn": "5,300", "color": "1,400"})
    assert page.locator(".notice-error").is_visible()
    assert len(api.get(f"/api/v1/devices/{device['id']}/meter-readings", token=person.token).json()["items"]) == 2

    page.click("#open-incident")
    page.wait_for_url(re.compile(r"/incidents/new"))
    assert page.input_value("#incident-device") == device["id"]
    page.select_option("#incident-category", "paper_jam")
    page.fill("#incident-description", "Atasco de papel en la bandeja 2 cada diez hojas.")
    page.fill("#contact-name", "Rocío Equipos")
    page.fill("#contact-phone", "5551234567")
    page.fill("#contact-email", person.email)
    page.click("#incident-submit")
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}"))
    incident_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    opened = api.get(f"/api/v1/incidents/{incident_id}", token=person.token)
    assert opened.status_code == 200, opened.text
    due = page.locator("#incident-due")
    assert due.get_attribute("datetime") == opened.json()["sla"]["response_due_at"]
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", due.inner_text()), due.inner_text()
    # Known by its number from now on: on the page, and in the confirmation mailed to the person.
    number = opened.json()["number"]
    assert re.fullmatch(r"INC-\d{4}-\d{6}", number), number
    assert page.inner_text("h1") == f"Incidencia {number}: Atasco de papel"
    assert number in page.inner_text(".notice-ok") and "correo" in page.inner_text(".notice-ok")
    [confirmation] = wait_until(lambda: [m for m in stack.mail_to(person.email) if number in m["subject"]],
                                what="the incident's confirmation mail")
    assert confirmation["subject"].startswith(f"Incidencia {number} registrada")
    assert f"/incidents/{incident_id}" in confirmation["text"]
    sign_out(page)

    sign_in(page, stack, AGENT, DEMO_PASSWORD)
    page.goto(f"{stack.gateway_url}/staff/customers/{company.id}")
    assert page.inner_text("#overview-rfc") == billed.customer["rfc"]
    incident_row = page.locator(f"#incident-{incident_id}")
    assert incident_row.count() == 1
    assert device["serial_number"] in incident_row.inner_text() and number in incident_row.inner_text()
    last_payment = page.inner_text("#last-payment")
    assert payment["bank_reference"] in last_payment, last_payment
    assert page.locator(f"#payment-{payment['id']}").count() == 1

    # The agent acknowledges it from its page: the person is mailed the change.
    incident_row.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf"/incidents/{incident_id}"))
    page.click("#status-form button[type=submit]")
    assert page.inner_text("#incident-status") == "Recibida"
    mails = wait_until(lambda: (m := [m for m in stack.mail_to(person.email) if number in m["subject"]])
                       and len(m) == 2 and m, what="the status change's mail")
    assert mails[1]["subject"].startswith(f"Incidencia {number}: Recibida")
