"""Racing requests against PostgreSQL: one rotation per refresh token, exact failure counts."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier


def race(app, count, request):
    """Run `request(client)` from `count` threads released at the same moment."""
    barrier = Barrier(count)

    def run(_):
        client = app.test_client()
        barrier.wait()
        return request(client)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_a_refresh_token_rotates_once_under_a_race_and_every_tab_stays_signed_in(portal, app, clock):
    customer = portal.customer()
    portal.admin(customer["id"])
    token = portal.login("ana@demo.mx").get_json()["refresh_token"]
    answers = race(app, 4, lambda client: client.post("/api/v1/auth/refresh", json={"refresh_token": token}))
    assert [a.status_code for a in answers] == [200] * 4
    # One rotation, one successor, handed to all four; the family lives on.
    assert len({a.get_json()["refresh_token"] for a in answers}) == 1
    assert len(portal.rows("refresh_tokens")) == 2
    [family] = portal.rows("refresh_families")
    assert family["revoked_at"] is None
    # The same token presented again after the grace window was copied: the family is revoked.
    clock.advance(seconds=11)
    assert portal.client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401
    [family] = portal.rows("refresh_families")
    assert family["revoked_reason"] == "reuse"


def test_concurrent_failures_are_all_counted(portal, app):
    customer = portal.customer()
    portal.admin(customer["id"])
    codes = race(app, 5, lambda client: client.post(
        "/api/v1/auth/login", json={"username": "ana@demo.mx", "password": "wrong-password"},
        headers={"X-Forwarded-For": "203.0.113.77"}).status_code)
    assert sorted(codes) == [401] * 5
    assert portal.login("ana@demo.mx", address="203.0.113.78").status_code == 429


def test_racing_invitations_of_one_address_make_one_user_and_the_same_answer(portal, app):
    customer = portal.customer()
    portal.admin(customer["id"])
    headers = portal.auth("ana@demo.mx")
    body = {"email": "nuevo@demo.mx", "name": "Nuevo", "roles": ["billing"]}
    answers = race(app, 4, lambda client: client.post("/api/v1/users", json=body, headers=headers))
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {(202, answers[0].get_data(as_text=True))}
    assert len(portal.rows("users", email="nuevo@demo.mx")) == 1
    # One invitation; the requests that lost the race told the address's owner instead.
    mails = portal.mails("nuevo@demo.mx")
    assert len(mails) == 4 and sum("/activate?token=" in mail["text"] for mail in mails) == 1
