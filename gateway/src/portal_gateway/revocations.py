"""The gateway's revocation list, kept in Redis, and the process that keeps it.

The gateway has no database: `portal-gateway-revocations` consumes identity.access.revoked and
adds each revocation to one sorted set in Redis, scored by when it may be forgotten; every
gateway worker reads the set back (portal_shared.auth.revocation.RevocationList) and refuses the
tokens it covers, on the API and in the pages alike. Adding a revocation twice leaves one
member, so a redelivery changes nothing and no inbox is needed.
"""
from __future__ import annotations

import json
import time

import redis
from portal_shared.auth import Revocation, revocation_from
from portal_shared.contracts import Event
from portal_shared.messaging import run_storeless_consumer

from portal_gateway.config import Config

EVENT = ("identity.access.revoked", 1)


class RedisRevocationStore:
    def __init__(self, client: redis.Redis, key: str):
        self.client = client
        self.key = key

    def record(self, revocation: Revocation) -> None:
        member = json.dumps(
            {"user_id": revocation.user_id, "customer_id": revocation.customer_id,
             "session_id": revocation.session_id, "issued_before": revocation.issued_before,
             "expires_at": revocation.expires_at},
            sort_keys=True,
        )
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.key, {member: revocation.expires_at})
        # Forgotten once no token they cover can live; Redis drops the set when it empties.
        pipe.zremrangebyscore(self.key, "-inf", time.time())
        pipe.execute()

    def active(self, now: float) -> list[Revocation]:
        members = self.client.zrangebyscore(self.key, f"({now}", "+inf")
        return [revocation_from(json.loads(member)) for member in members]

    def handle(self, event: Event) -> None:
        self.record(revocation_from(event.data))


def store_from(config: dict) -> RedisRevocationStore:
    client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=config["REDIS_TIMEOUT"],
                                  socket_timeout=config["REDIS_TIMEOUT"], health_check_interval=30)
    return RedisRevocationStore(client, config["REVOCATIONS_KEY"])


def main() -> None:
    """Console script portal-gateway-revocations: runs until SIGTERM or SIGINT."""
    store = store_from(vars(Config()))
    run_storeless_consumer(service="gateway", handlers={EVENT: store.handle})
