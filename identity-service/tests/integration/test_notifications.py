"""identity tells people what billing and servicedesk announce: the events go in as the consumer
applies them (inbox and effect in one transaction) and come out as mail in the outbox; last,
identity-consumer as a real process on RabbitMQ (an exchange and queues of the test's own)."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal_shared.auth import AGENT, BILLING, DEVICE_ADMIN
from portal_shared.contracts import new_event
from portal_shared.testing.service import poll_until

from identity_service.adapters.orm import User


@pytest.fixture
def company(portal) -> dict:
    return portal.customer()


def disable(portal, user: dict) -> None:
    with portal.engine.begin() as connection:
        connection.execute(sa.update(User).where(User.id == user["id"]).values(status="disabled"))


def statement_event(customer_id: str, period: str = "2026-11"):
    return new_event("billing.statement.published", 1, {
        "statement_id": f"st-{uuid.uuid4().hex[:8]}", "customer_id": customer_id, "account_number": "005300",
        "period": period, "closing_balance_mxn": Decimal("12345.60"), "closing_balance_usd": Decimal("412.60"),
    }, producer="billing-service")


def incident_data(customer_id: str, *, opened_by: str | None, device_admins: list[str]) -> dict:
    return {
        "incident_id": str(uuid.uuid4()), "number": "INC-2026-000123", "customer_id": customer_id,
        "device_id": str(uuid.uuid4()), "serial_number": "QXK01234", "model": "imageRUNNER ADVANCE DX C5840i",
        "opened_by": opened_by, "device_admin_ids": device_admins,
    }


def opened_event(customer_id: str, *, opened_by: str | None, device_admins: list[str]):
    return new_event("servicedesk.incident.opened", 2, {
        **incident_data(customer_id, opened_by=opened_by, device_admins=device_admins),
        "category": "paper_jam", "description": "Atasco en la bandeja 2.",
        # 17:30 in Mexico City; the response is due the next business day.
        "opened_at": datetime(2026, 12, 4, 23, 30, tzinfo=timezone.utc),
        "response_due_at": datetime(2026, 12, 7, 19, 30, tzinfo=timezone.utc),
    }, producer="servicedesk-service")


def test_a_published_statement_mails_each_active_billing_user_of_the_company(portal, company, deliver):
    payer = portal.user("pagos@demo.mx", [BILLING], company["id"])
    portal.user("otra@demo.mx", [BILLING, DEVICE_ADMIN], company["id"])
    portal.admin(company["id"])  # an admin without the billing role is not told
    disable(portal, portal.user("baja@demo.mx", [BILLING], company["id"]))
    other = portal.customer(rfc="OTR850101AB1", name="Otra SA", system="1000099", accounts=("009900",))
    portal.user("ajena@otra.mx", [BILLING], other["id"])

    assert deliver(statement_event(company["id"])) is True

    assert sorted(mail["to"] for mail in portal.mails()) == ["otra@demo.mx", "pagos@demo.mx"]
    [mail] = portal.mails(payer["email"])
    assert mail["subject"] == ("Estado de cuenta de noviembre de 2026 disponible / "
                               "Statement of account for November 2026 available")
    assert "Comercializadora Demo SA de CV, cuenta 005300" in mail["text"]
    assert "12,345.60 MXN · 412.60 USD" in mail["text"]
    assert "http://portal.test/statements" in mail["text"]
    assert mail["text"].index("Hola pagos") < mail["text"].index("Hello pagos")


def test_the_same_event_delivered_again_mails_nobody_again(portal, company, deliver):
    portal.user("pagos@demo.mx", [BILLING], company["id"])
    event = statement_event(company["id"])

    assert deliver(event) is True
    assert deliver(event) is False

    assert len(portal.mails()) == 1


def test_a_statement_of_a_customer_identity_does_not_know_mails_nobody(portal, deliver):
    assert deliver(statement_event(str(uuid.uuid4()))) is True
    assert portal.mails() == []


def test_an_opened_incident_mails_its_opener_and_the_devices_admins(portal, company, deliver):
    opener = portal.admin(company["id"])
    device_admin = portal.user("equipos@demo.mx", [DEVICE_ADMIN], company["id"])
    gone = portal.user("ex@demo.mx", [DEVICE_ADMIN], company["id"])
    disable(portal, gone)
    stranger = portal.user("equipos@otra.mx", [DEVICE_ADMIN],
                           portal.customer(rfc="OTR850101AB1", name="Otra SA", system="1000099",
                                           accounts=("009900",))["id"])
    portal.user("pagos@demo.mx", [BILLING], company["id"])  # not concerned

    event = opened_event(company["id"], opened_by=opener["id"],
                         device_admins=[device_admin["id"], gone["id"], stranger["id"], opener["id"]])
    deliver(event)

    assert sorted(mail["to"] for mail in portal.mails()) == ["ana@demo.mx", "equipos@demo.mx"]
    [mail] = portal.mails("equipos@demo.mx")
    assert mail["subject"] == "Incidencia INC-2026-000123 registrada / Incident INC-2026-000123 opened"
    text = mail["text"]
    assert "imageRUNNER ADVANCE DX C5840i, serie QXK01234" in text
    assert "Tipo: Atasco de papel" in text and "Type: Paper jam" in text
    # Times in Mexico City, as the customer reads them.
    assert "Abierta: 2026-12-04 17:30" in text and "2026-12-07 13:30" in text
    assert f"http://portal.test/incidents/{event.data['incident_id']}" in text


def test_an_agent_who_opens_on_the_customers_behalf_is_told_too(portal, company, deliver):
    agent = portal.user("agente@proveedor.mx", [AGENT], None)

    deliver(opened_event(company["id"], opened_by=agent["id"], device_admins=[]))

    assert [mail["to"] for mail in portal.mails()] == ["agente@proveedor.mx"]


def test_each_status_change_mails_the_same_people_with_both_statuses(portal, company, deliver):
    opener = portal.admin(company["id"])
    device_admin = portal.user("equipos@demo.mx", [DEVICE_ADMIN], company["id"])
    data = incident_data(company["id"], opened_by=opener["id"], device_admins=[device_admin["id"]])

    deliver(new_event("servicedesk.incident.status_changed", 1, {
        **data, "from_status": "acknowledged", "to_status": "in_progress", "side": "vendor",
        "changed_at": datetime(2026, 12, 7, 16, 5, tzinfo=timezone.utc), "changed_by": str(uuid.uuid4()),
    }, producer="servicedesk-service"))

    assert sorted(mail["to"] for mail in portal.mails()) == ["ana@demo.mx", "equipos@demo.mx"]
    [mail] = portal.mails("ana@demo.mx")
    assert mail["subject"] == "Incidencia INC-2026-000123: En atención / Incident INC-2026-000123: In progress"
    assert "pasó de «Recibida» a «En atención» el 2026-12-07 10:05" in mail["text"]
    assert "went from “Acknowledged” to “In progress” on 2026-12-07 10:05" in mail["text"]


def test_a_statement_through_the_broker_is_mailed_once(broker, processes, portal):
    company = portal.customer()
    portal.user("pagos@demo.mx", [BILLING], company["id"])
    processes.start("identity-consumer")
    broker.wait_for_consumer()

    event = statement_event(company["id"])
    broker.publish(event)
    broker.publish(event)  # delivered twice, as a broker may
    # One consumer takes the queue in order: once the next statement's mail is there, both copies were handled.
    broker.publish(statement_event(company["id"], period="2026-10"))

    poll_until(lambda: len(portal.mails("pagos@demo.mx")) >= 2, what="the statement mails in the outbox")
    subjects = [mail["subject"] for mail in portal.mails("pagos@demo.mx")]
    assert len(subjects) == 2 and "noviembre de 2026" in subjects[0] and "octubre de 2026" in subjects[1], subjects
