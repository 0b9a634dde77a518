"""A meter reading accepted at servicedesk, every counter of the device, reaches billing over RabbitMQ and is
stated on its month's statement."""
from __future__ import annotations

import io
import uuid
from datetime import datetime

from pypdf import PdfReader

from billing_service.domain.calendar import Period
from billing_service.service_layer.usage import usage_key
from desk import DeskCustomer, admin_of, assert_problem, read_yesterday, register_device
from stack import Api, Stack, wait_until
from statements import state_month_as_its_end_would


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_accepted_reading_is_on_the_months_statement(stack: Stack, api: Api, operator: Api, billing_customer):
    billed = billing_customer([("MXN", "2500.00")])
    company = DeskCustomer(billed.customer, admin_of(api, billed.email, billed.password, billed.token))
    device = register_device(operator, company, counters=("bn", "color"))
    earlier = read_yesterday(operator, device, {"bn": 41_000, "color": 9_000})

    submitted = api.post(f"/api/v1/devices/{device['id']}/meter-readings",
                         {"counters": {"bn": 41_250, "color": 9_040}}, token=company.admin.token)
    assert submitted.status_code == 201, submitted.text
    reading = submitted.json()
    assert [(c["counter"], c["value"], c["previous_value"]) for c in reading["counters"]] == [
        ("bn", 41_250, 41_000), ("color", 9_040, 9_000)]

    def booked(reading_id: str, counter: str, column: str):
        """One counter's usage row: billing keys it by the reading and the counter."""
        return stack.scalar("billing", f"SELECT {column} FROM meter_usage WHERE reading_id = CAST(:k AS uuid)",
                            k=str(usage_key(uuid.UUID(reading_id), counter)))

    # Billing hears of it through servicedesk's outbox, the relay, RabbitMQ and its consumer: one
    # usage per counter.
    wait_until(lambda: (booked(reading["id"], "bn", "usage"), booked(reading["id"], "color", "usage")) == (250, 40),
               what="billing to record the reading's usage of each counter")
    period = Period.containing(datetime.fromisoformat(reading["read_on"]).date())
    assert booked(reading["id"], "bn", "period") == str(period)
    # Yesterday's reading was announced too and is booked in its own day's month (last month on the
    # 1st); the first reading of each series, it adds no usage.
    earlier_period = Period.containing(datetime.fromisoformat(earlier["read_on"]).date())
    wait_until(lambda: booked(earlier["id"], "color", "period") == str(earlier_period),
               what="billing to record yesterday's reading in its month")
    assert (booked(earlier["id"], "bn", "usage"), booked(earlier["id"], "color", "usage")) == (0, 0)

    refused = operator.post("/api/v1/statements", {"period": str(period)})
    assert_problem(refused, 422, "period", what="stating a month that has not ended")

    generated = state_month_as_its_end_would(stack, period, company.id)
    assert generated, "no statement generated for the customer's account"

    listed = api.get("/api/v1/statements", token=billed.token, params={"account": billed.account})
    assert listed.status_code == 200, listed.text
    [statement] = [s for s in listed.json()["items"] if s["period"] == str(period)]
    assert statement["meter_usage"] == [{"serial_number": device["serial_number"], "counter": "bn", "usage": 250},
                                        {"serial_number": device["serial_number"], "counter": "color", "usage": 40}]

    pdf = api.get(statement["pdf_url"], token=billed.token)
    assert pdf.status_code == 200, pdf.text[:300]
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    # The usage section reads serial, counter, usage (the extractor may break the row into lines).
    usage = text.split("Meter usage", 1)[-1].split()
    assert device["serial_number"] in usage, text
    at = usage.index(device["serial_number"])
    # The counter said in both languages, as on the portal's pages.
    assert usage[at + 1:at + 5] == ["Negro", "/", "Black", "250"], usage

    # Billing heard of both readings, each counter of each once.
    assert stack.scalar("billing", "SELECT count(*) FROM meter_usage WHERE device_id = CAST(:d AS uuid)",
                        d=device["id"]) == 4
