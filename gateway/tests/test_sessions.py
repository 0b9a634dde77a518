"""Browser sessions kept in Redis: what the cookie holds, sign-out, timeouts, a lost store."""
from __future__ import annotations

import json
import time

import pytest
import redis

from conftest import csrf_token, stopped_url
from portal_gateway.sessions import RedisSessionStore, ServerSession

COOKIE = "portal_session"
PLAYED = ("identity",)


@pytest.fixture
def store(redis_url, session_prefix):
    client = redis.Redis.from_url(redis_url)
    yield RedisSessionStore(client, prefix=session_prefix, idle_seconds=60, absolute_seconds=3600)
    client.close()


def sign_in(ui) -> str:
    token = csrf_token(ui.get("/login").get_data(as_text=True))
    response = ui.post("/login", data={"csrf_token": token, "username": "ana", "password": "right"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return cookie_of(ui)


def cookie_of(ui) -> str:
    cookie = ui.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def stored(store: RedisSessionStore, sid: str) -> dict:
    return {name.decode(): json.loads(value) for name, value in store.client.hgetall(store.key(sid)).items()}


def test_the_cookie_is_an_opaque_id_and_the_tokens_stay_on_the_server(ui, store):
    sid = sign_in(ui)
    assert len(sid) >= 40 and "." not in sid, "the cookie looks like it carries data"
    held = stored(store, sid)
    assert held["access_token"].count(".") == 2 and held["refresh_token"]
    assert held["access_token"] not in sid and "refresh_token" not in sid
    assert 0 < store.client.ttl(store.key(sid)) <= 30 * 60, "the default idle timeout is its lifetime"


def test_signing_in_gives_a_new_id_so_an_id_known_before_is_worthless(ui, store):
    ui.get("/login?lang=en")  # a visitor's session: the language and the form's CSRF secret
    before = cookie_of(ui)
    after = sign_in(ui)
    assert after != before
    assert store.client.exists(store.key(before)) == 0
    assert stored(store, after)["lang"] == "en", "the language chosen before sign-in is kept"


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(make_gateway, urls, store, identity):
    gateway = make_gateway(urls)
    browser = gateway.test_client()
    sid = sign_in(browser)
    form_token = csrf_token(browser.get("/password").get_data(as_text=True))

    copy = gateway.test_client()
    copy.set_cookie(COOKIE, sid)
    assert copy.get("/").status_code == 200, "the copy works while the session lives"

    browser.post("/logout", data={"csrf_token": csrf_token(browser.get("/").get_data(as_text=True))})
    assert store.client.exists(store.key(sid)) == 0, "sign-out deletes the session"

    for page in ("/", "/password", "/balances", "/users", "/devices"):
        answer = copy.get(page)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), page
    calls_before = len(identity.calls)
    posted = copy.post("/password", data={"csrf_token": form_token, "current_password": "right",
                                          "new_password": "Otra-Clave-2026", "confirm_password": "Otra-Clave-2026"})
    assert posted.status_code == 302 and posted.headers["Location"] == "/login"
    assert len(identity.calls) == calls_before, "a form from a dead session reached identity"
    login_page = copy.get("/login").get_data(as_text=True)
    assert "Su sesión terminó. Inicie sesión de nuevo." in login_page


def test_the_session_ends_after_the_absolute_timeout_whatever_the_activity(make_gateway, urls, store):
    ui = make_gateway(urls, SESSION_ABSOLUTE_TIMEOUT_SECONDS=3600).test_client()
    sid = sign_in(ui)
    assert ui.get("/").status_code == 200
    # Signed in long ago: what the clock would do after SESSION_ABSOLUTE_TIMEOUT_SECONDS.
    store.client.hset(store.key(sid), "_created", json.dumps(time.time() - 3601))
    assert ui.get("/").headers["Location"] == "/login"
    assert store.client.exists(store.key(sid)) == 0


def test_the_idle_timeout_is_the_sessions_lifetime_in_redis(make_gateway, urls, redis_url, session_prefix):
    ui = make_gateway(urls, SESSION_IDLE_TIMEOUT_SECONDS=1).test_client()
    sid = sign_in(ui)
    client = redis.Redis.from_url(redis_url)
    key = RedisSessionStore(client, prefix=session_prefix, idle_seconds=1, absolute_seconds=60).key(sid)
    # Redis expires it on its own clock; waiting for that is bounded by the key's own TTL.
    deadline = time.monotonic() + 30
    while client.exists(key) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not client.exists(key), "the idle session outlived its timeout"
    assert ui.get("/").headers["Location"] == "/login"


def test_changes_of_two_requests_in_flight_do_not_undo_each_other(store):
    sid = "a" * 43
    store.client.hset(store.key(sid), mapping={"_created": json.dumps(time.time()), "lang": '"es"',
                                               "refresh_token": '"old"'})
    first = ServerSession(sid, {"lang": "es", "refresh_token": "old"})
    second = ServerSession(sid, {"lang": "es", "refresh_token": "old"})
    first["refresh_token"] = "new"  # a refresh
    second["lang"] = "en"  # a language switch that began before the refresh was saved
    store._write_changes(first, 60)
    store._write_changes(second, 60)
    assert stored(store, sid) == {"_created": pytest.approx(time.time(), abs=5), "lang": "en",
                                  "refresh_token": "new"}


def test_a_request_in_flight_at_sign_out_does_not_bring_the_session_back(store):
    sid = "b" * 43
    store.client.hset(store.key(sid), mapping={"_created": json.dumps(time.time()), "lang": '"es"'})
    in_flight = ServerSession(sid, {"lang": "es"})
    store.client.delete(store.key(sid))  # signed out meanwhile
    in_flight["access_token"] = "refreshed"
    store._write_changes(in_flight, 60)
    assert store.client.exists(store.key(sid)) == 0


def test_without_the_session_store_pages_say_so_in_spanish_and_probes_answer(make_gateway, urls):
    gateway = make_gateway(urls, REDIS_URL="redis://" + stopped_url().split("//", 1)[1] + "/0", REDIS_TIMEOUT=0.5)
    ui = gateway.test_client()
    ui.set_cookie(COOKIE, "x" * 43)
    page = ui.get("/")
    assert page.status_code == 503
    assert "El inicio de sesión no está disponible en este momento." in page.get_data(as_text=True)
    assert ui.get("/healthz").status_code == 200
    ready = ui.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["session-store"].startswith("unreachable")


def test_signing_in_near_the_end_of_a_visitors_session_starts_the_clocks_again(make_gateway, urls, store):
    ui = make_gateway(urls, SESSION_ABSOLUTE_TIMEOUT_SECONDS=3600).test_client()
    ui.get("/login")
    visitor = cookie_of(ui)
    # A visitor's session in its last half second.
    store.client.hset(store.key(visitor), "_created", json.dumps(time.time() - 3599.5))
    signed_in = sign_in(ui)
    assert signed_in != visitor
    assert time.time() - stored(store, signed_in)["_created"] < 60
    assert ui.get("/").status_code == 200
