"""servicedesk-consumer, servicedesk-relay and servicedesk-mailer as real processes on RabbitMQ and PostgreSQL.

identity's customer and user events go in through the broker and land in the directory; the
relay publishes accepted meter readings; the mailer sends toner order mail to an SMTP server. The
exchange and queues are this test's own.
"""
from __future__ import annotations

import socket

from aiosmtpd.controller import Controller

from portal_shared.db import transaction
from portal_shared.testing.service import poll_until
from servicedesk_service.adapters.orm import Customer, User


def test_customer_and_user_through_the_broker(broker, processes, registration, user_creation, session_factory):
    processes.start("servicedesk-consumer")
    processes.start("servicedesk-relay")
    broker.wait_for_consumer()

    customer = registration()
    user = user_creation(customer_id=customer.data["customer_id"], roles=["admin"])
    broker.publish(user)
    broker.publish(customer)

    def directory():
        with transaction(session_factory) as session:
            return (session.get(Customer, customer.data["customer_id"]), session.get(User, user.data["user_id"]))

    stored_customer, stored_user = poll_until(
        lambda: all(directory()) and directory(), what="customer and user recorded"
    )
    assert stored_customer.rfc == customer.data["rfc"]
    assert (stored_user.customer_id, stored_user.roles) == (customer.data["customer_id"], ["admin"])


def test_accepted_reading_is_published_by_the_relay(broker, processes, client, bearer, customer, make_device):
    queue = broker.listen("servicedesk.meter_reading.accepted.v2")
    processes.start("servicedesk-relay")
    device = make_device(customer)

    response = client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counters": {"total": 6000, "black": 4321, "colour": 1679}},
                           headers=bearer("admin", customer_id=customer))
    assert response.status_code == 201

    received: list[dict] = []

    def published():
        received.extend(broker.take(queue))
        return [m for m in received if m["data"]["device_id"] == device["id"]]

    (message,) = poll_until(published, what="the accepted reading on the broker")
    assert message["type"] == "servicedesk.meter_reading.accepted" and message["version"] == 2
    assert message["data"]["reading_id"] == response.json["id"]
    assert [(c["counter"], c["value"], c["series"]) for c in message["data"]["counters"]] == [
        ("total", 6000, 1), ("black", 4321, 1), ("colour", 1679, 1)]


def test_toner_order_mail_is_sent_by_the_mailer(processes, monkeypatch, client, bearer, deliver, user_creation,
                                                customer, make_device):
    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd checks its own port at start, so it cannot take 0
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    try:
        deliver(user_creation(customer_id=customer, roles=["stock_admin"], email="almacen@example.mx"))
        stock_admin = bearer("stock_admin", customer_id=customer)
        location = client.post("/api/v1/stock-locations", headers=stock_admin, json={
            "name": "Almacén central", "shipping_address": "Av. Reforma 222, CDMX",
            "inventory": [{"toner_item": "GPR-58 K", "quantity": 3, "reorder_point": 4}]}).json
        device = make_device(customer)
        client.put(f"/api/v1/devices/{device['id']}/stock-location", json={"stock_location_id": location["id"]},
                   headers=stock_admin)
        report = client.post(f"/api/v1/devices/{device['id']}/toner-levels", headers=bearer("operator"),
                             json={"levels": [{"toner_item": "GPR-58 K", "percent": 8}]})
        [order] = report.json["orders"]

        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp_port}")
        processes.start("servicedesk-mailer")

        [content] = poll_until(
            lambda: [c for to, c in received if to == ["almacen@example.mx"] and order["id"] in c],
            what="the toner order mail at the SMTP server",
        )
        assert "GPR-58 K" in content
    finally:
        smtp.stop()
