"""Revoked access at the gateway: the Redis list its workers read, the proxy's and the pages'
refusal, and portal-gateway-revocations filling the list from identity's events on a real broker."""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pika
import pytest
import redis

from conftest import csrf_token, serve
from portal_gateway.revocations import EVENT, RedisRevocationStore
from portal_shared.auth import Revocation
from portal_shared.config import MessagingConfig
from portal_shared.contracts import new_event, routing_key
from portal_shared.messaging import StorelessConsumer
from standins import FakeIdentity


@pytest.fixture
def store(redis_url, session_prefix):
    client = redis.Redis.from_url(redis_url)
    yield RedisRevocationStore(client, session_prefix + "revocations")
    client.close()


def revoke(store: RedisRevocationStore, *, user_id: str, session_id: str | None = None) -> None:
    now = time.time()
    store.record(Revocation(issued_before=now, expires_at=now + 900, user_id=user_id, session_id=session_id))


def test_the_proxy_refuses_a_revoked_token_itself_and_lets_the_others_through(client, tokens, store):
    billing = tokens.for_role("billing")
    admin = tokens.for_role("admin")
    assert client.get("/api/v1/invoices", headers={"Authorization": f"Bearer {billing}"}).status_code == 200

    revoke(store, user_id="user-billing")
    # The workers' copy is at most REVOCATION_REFRESH_SECONDS old: the refusal comes within it.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = client.get("/api/v1/invoices", headers={"Authorization": f"Bearer {billing}"})
        if answer.status_code != 200:
            break
        time.sleep(0.05)
    assert answer.status_code == 401
    assert answer.get_json()["title"] == "Access revoked"
    assert answer.headers["X-Answered-By"] == "gateway" and "invalid_token" in answer.headers["WWW-Authenticate"]
    assert client.get("/api/v1/invoices", headers={"Authorization": f"Bearer {admin}"}).status_code == 200


def test_a_token_issued_after_the_revocation_goes_through(client, tokens, store):
    revoke(store, user_id="user-billing")
    fresh = tokens.for_role("billing", now=datetime.now(timezone.utc) + timedelta(seconds=1))
    assert client.get("/api/v1/invoices", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_entries_are_forgotten_once_no_token_they_cover_can_live(store):
    now = time.time()
    store.record(Revocation(issued_before=now - 1000, expires_at=now - 1, user_id="old"))
    store.record(Revocation(issued_before=now, expires_at=now + 900, user_id="new"))
    assert [entry.user_id for entry in store.active(time.time())] == ["new"]
    assert store.client.zcard(store.key) == 1, "the expired entry was removed from Redis"


class TestPages:
    @pytest.fixture
    def identity(self, tokens):
        yield from serve(FakeIdentity(tokens))

    @pytest.fixture
    def urls(self, urls, identity):
        return {**urls, "identity": identity.url}

    def test_a_page_meets_a_revoked_token_and_refreshes_it_first(self, make_gateway, urls, identity, store):
        # Read afresh on every request, so the test needs no wait for the workers' next read.
        ui = make_gateway(urls, REVOCATION_REFRESH_SECONDS=0).test_client()
        token = csrf_token(ui.get("/login").get_data(as_text=True))
        assert ui.post("/login", data={"csrf_token": token, "username": "ana", "password": "right"}).status_code == 302
        with ui.session_transaction() as session:
            revoked = session["access_token"]
        issued_at = jwt.decode(revoked, options={"verify_signature": False})["iat"]
        store.record(Revocation(issued_before=issued_at, expires_at=time.time() + 900, user_id="u1"))

        assert ui.get("/").status_code == 200
        assert any(path == "/api/v1/auth/refresh" for path, _body in identity.calls), "the page refreshed the token"
        with ui.session_transaction() as session:
            assert session["access_token"] != revoked


def test_portal_gateway_revocations_keeps_identitys_announcements_in_redis(store):
    amqp_url = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    run = uuid.uuid4().hex[:8]
    config = MessagingConfig("gateway")
    config.amqp_url, config.exchange, config.queue_prefix = amqp_url, f"test-{run}.events", f"test-{run}."
    consumer = StorelessConsumer("gateway", {EVENT: store.handle}, config)
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    connection = None
    try:
        assert consumer.wait_until_consuming(30), "the consumer did not attach to the broker"
        now = datetime.now(timezone.utc)
        event = new_event("identity.access.revoked", 1, {
            "user_id": str(uuid.uuid4()), "customer_id": None, "session_id": "family-1",
            "issued_before": now, "expires_at": now + timedelta(minutes=15), "reason": "logout"}, producer="test")
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        body = json.dumps(event.to_message()).encode()
        for _ in range(2):  # delivered twice: one entry
            connection.channel().basic_publish(config.exchange, routing_key(*EVENT), body)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and consumer.stats["applied"] < 2:
            time.sleep(0.05)
        [entry] = store.active(time.time())
        assert entry.user_id == event.data["user_id"] and entry.session_id == "family-1"
    finally:
        consumer.stop()
        thread.join(10)
        if connection is not None:
            channel = connection.channel()
            for queue in (config.queue_name, config.dead_letter_queue,
                          *(config.retry_queue(delay) for delay in config.retry_delays_ms)):
                channel.queue_delete(queue)
            channel.exchange_delete(config.exchange)
            connection.close()
