"""The per-address sign-in lockout counts the client's address, not the gateway's: one address
trying wrong passwords is locked, a person at another address signs in all the same.

The suite plays the Ingress in front of the gateway (TRUSTED_PROXY_HOPS=1): each Api names its
own client address. Runs on the local stack and on the composed one alike, with the per-address
lockout on as shipped.
"""
from __future__ import annotations

import uuid

from stack import Api, Stack


def test_wrong_passwords_from_one_address_lock_that_address_only(stack: Stack, activated_admin):
    _customer, email, password, _tokens = activated_admin()
    attacker, person = Api(stack.gateway_url), Api(stack.gateway_url)
    assert attacker.address != person.address

    # Wrong passwords for user names that do not exist, so no account of anyone is locked: only
    # the address counter can stop the attacker. The attempts are bounded by progress: the lock
    # must come within the shipped limit (5) and a few more answers, never after an unbounded loop.
    answers = []
    for _ in range(20):
        response = attacker.post("/api/v1/auth/login", {"username": f"nadie.{uuid.uuid4().hex[:8]}@example.com",
                                                        "password": "No-Es-La-Clave-1"})
        answers.append(response.status_code)
        if response.status_code == 429:
            break
    assert answers[-1] == 429, f"address {attacker.address} never locked: {answers}"
    assert set(answers[:-1]) == {401}, answers

    # The attacker's address is locked even for a right password ...
    assert attacker.post("/api/v1/auth/login", {"username": email, "password": password}).status_code == 429
    # ... while the person, from another address, signs in.
    signed_in = person.post("/api/v1/auth/login", {"username": email, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["access_token"]
