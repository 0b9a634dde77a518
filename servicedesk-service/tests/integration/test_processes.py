"""servicedesk-consumer and servicedesk-relay as real processes on RabbitMQ and PostgreSQL.

identity's customer and user events go in through the broker and land in the directory; the
relay publishes accepted meter readings. The exchange and queues are this test's own.
"""
from __future__ import annotations

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
    queue = broker.listen("servicedesk.meter_reading.accepted.v1")
    processes.start("servicedesk-relay")
    device = make_device(customer)

    response = client.post(f"/api/v1/devices/{device['id']}/meter-readings", json={"counter": "black", "value": 4321},
                           headers=bearer("admin", customer_id=customer))
    assert response.status_code == 201

    received: list[dict] = []

    def published():
        received.extend(broker.take(queue))
        return [m for m in received if m["data"]["device_id"] == device["id"]]

    (message,) = poll_until(published, what="the accepted reading on the broker")
    assert message["type"] == "servicedesk.meter_reading.accepted" and message["version"] == 1
    assert message["data"]["reading_id"] == response.json["id"]
    assert (message["data"]["counter"], message["data"]["value"], message["data"]["series"]) == ("black", 4321, 1)
