"""Brute force: failures per account and per address lock both out for a while."""
from __future__ import annotations


def accounts(portal):
    customer = portal.customer()
    portal.admin(customer["id"])
    portal.user("bea@demo.mx", ["billing"], customer["id"])


def test_account_locks_after_five_failures_and_releases_after_the_lockout(portal, clock):
    accounts(portal)
    for attempt in range(5):
        # Each from a different address: the account counter alone must lock.
        assert portal.login("ana@demo.mx", "wrong-password", address=f"203.0.113.{attempt}").status_code == 401
    locked = portal.login("ana@demo.mx", portal.password, address="203.0.113.50")
    assert locked.status_code == 429
    assert locked.headers["Content-Type"] == "application/problem+json"
    assert int(locked.headers["Retry-After"]) == 900
    assert locked.get_json()["code"] == "identity.locked" and locked.get_json()["retry_after"] == 900
    # Another account is untouched.
    assert portal.login("bea@demo.mx", address="203.0.113.50").status_code == 200

    clock.advance(seconds=899)
    assert portal.login("ana@demo.mx", address="203.0.113.50").status_code == 429
    clock.advance(seconds=2)
    assert portal.login("ana@demo.mx", address="203.0.113.50").status_code == 200


def test_failures_outside_the_window_do_not_add_up(portal, clock):
    accounts(portal)
    for _ in range(4):
        assert portal.login("ana@demo.mx", "wrong-password").status_code == 401
    clock.advance(seconds=901)
    for _ in range(4):
        assert portal.login("ana@demo.mx", "wrong-password").status_code == 401
    assert portal.login("ana@demo.mx").status_code == 200


def test_success_resets_the_account_counter(portal):
    accounts(portal)
    for _ in range(4):
        portal.login("ana@demo.mx", "wrong-password", address="203.0.113.1")
    assert portal.login("ana@demo.mx", address="203.0.113.2").status_code == 200
    for _ in range(4):
        assert portal.login("ana@demo.mx", "wrong-password", address="203.0.113.3").status_code == 401
    assert portal.login("ana@demo.mx", address="203.0.113.4").status_code == 200


def test_one_address_trying_many_accounts_is_locked(portal, clock):
    accounts(portal)
    for number in range(5):
        assert portal.login(f"user{number}@demo.mx", "wrong-password", address="192.0.2.10").status_code == 401
    assert portal.login("ana@demo.mx", address="192.0.2.10").status_code == 429
    assert portal.login("ana@demo.mx", address="192.0.2.11").status_code == 200
    clock.advance(seconds=901)
    assert portal.login("bea@demo.mx", address="192.0.2.10").status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(portal):
    accounts(portal)
    unknown = portal.login("nadie@demo.mx", "wrong-password")
    wrong = portal.login("ana@demo.mx", "wrong-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert wrong.get_json()["code"] == "identity.invalid_credentials"


def test_the_address_limit_can_be_set_apart(portal, app):
    app.extensions["identity"].settings["LOGIN_ADDRESS_MAX_FAILURES"] = 8
    accounts(portal)
    for number in range(7):
        assert portal.login(f"user{number}@demo.mx", "wrong-password", address="192.0.2.20").status_code == 401
    assert portal.login("ana@demo.mx", address="192.0.2.20").status_code == 200
    assert portal.login("user9@demo.mx", "wrong-password", address="192.0.2.20").status_code == 401
    assert portal.login("bea@demo.mx", address="192.0.2.20").status_code == 429


def _login_from(portal, peer: str, forwarded_for: str, password: str, username: str = "ana@demo.mx"):
    return portal.client.post(
        "/api/v1/auth/login", json={"username": username, "password": password},
        headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": peer},
    )


def test_an_untrusted_peer_cannot_choose_the_address_it_is_counted_under(portal):
    # A caller that reaches identity directly (not through the gateway) names a new address in
    # X-Forwarded-For on every try: it is counted under its own peer address all the same.
    accounts(portal)
    for attempt in range(5):
        answer = _login_from(portal, "198.51.100.7", f"203.0.113.{attempt}", "wrong-password")
        assert answer.status_code == 401
    locked = portal.client.post("/api/v1/auth/login", json={"username": "bea@demo.mx", "password": portal.password},
                                environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert locked.status_code == 429, "five failures from one untrusted peer must lock that peer's address"
    # The gateway (a trusted peer, loopback by default) speaks for its clients: another client signs in.
    assert _login_from(portal, "127.0.0.1", "203.0.113.200", portal.password, "bea@demo.mx").status_code == 200
