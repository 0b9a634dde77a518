"""Fixtures: a signing key and its JWKS served over HTTP, echoing stand-ins, a gateway app factory,
and what the web UI tests share: the browser-like client, signing in, reading the pages."""
from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
import redis
from portal_shared.auth import ACTIVATION
from portal_shared.auth.roles import ALL_ROLES, STAFF_ROLES
from portal_shared.auth.signing import TokenSigner, generate_private_key

from portal_gateway import create_app
from portal_gateway.i18n import PACKAGE_TRANSLATIONS, compile_catalogs

from standins import CUSTOMER_ID, Echo, FakeBilling, FakeIdentity, FakePayment, StandIn, json_app, json_response


@pytest.fixture(scope="session")
def signer() -> TokenSigner:
    return TokenSigner([generate_private_key()])


@pytest.fixture(scope="session")
def keys_server(signer):
    server = StandIn(json_app({("GET", "/.well-known/jwks.json"): lambda _r: json_response(signer.jwks())}))
    yield server
    server.stop()


class Tokens:
    """Tokens as identity would issue them: one per role, the activation token, broken ones."""

    def __init__(self, signer: TokenSigner):
        self.signer = signer

    def for_role(self, role: str, **kwargs) -> str:
        customer = None if role in STAFF_ROLES else CUSTOMER_ID
        return self.signer.issue(user_id=f"user-{role}", customer_id=customer, roles=[role],
                                 username=role, session_id="s1", **kwargs)

    def activation(self) -> str:
        return self.signer.issue(user_id="user-rfc", customer_id=CUSTOMER_ID, roles=[], token_type=ACTIVATION,
                                 username="CME850101AB1", ttl=timedelta(minutes=10))

    def foreign(self) -> str:
        return TokenSigner([generate_private_key()]).issue(user_id="x", customer_id=CUSTOMER_ID, roles=["admin"])


@pytest.fixture(scope="session")
def tokens(signer) -> Tokens:
    return Tokens(signer)


@pytest.fixture(scope="session")
def roles() -> list[str]:
    return sorted(ALL_ROLES)


@pytest.fixture(scope="session")
def echoes():
    """One echoing stand-in per service, so a test can see which service a call reached."""
    servers = {key: (echo, StandIn(echo)) for key, echo in
               ((key, Echo(key)) for key in ("identity", "billing", "payment", "servicedesk"))}
    yield servers
    for _echo, server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def translations(tmp_path_factory):
    """The catalogs compiled once per run, as the install step would."""
    target = tmp_path_factory.mktemp("translations")
    assert compile_catalogs(PACKAGE_TRANSLATIONS, target), "no catalogs found"
    return str(target)


@pytest.fixture(scope="session")
def redis_url():
    """The session store: the machine's Redis (REDIS_URL), which these tests need running."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"the gateway's tests need Redis at {url} (set REDIS_URL): {exc}", pytrace=False)
    finally:
        client.close()
    return url


@pytest.fixture
def session_prefix(redis_url):
    """A key prefix of this test's own, removed afterwards with every session under it."""
    prefix = f"portal:test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def make_gateway(keys_server, tmp_path, translations, redis_url, session_prefix):
    def make(urls: dict[str, str], **config):
        settings = {
            "TESTING": True,
            "CONFIGURE_LOGGING": False,
            "SECRET_KEY": "test-secret",
            "VAR_DIR": str(tmp_path),
            "SERVICE_URLS": urls,
            "JWKS_URL": keys_server.url + "/.well-known/jwks.json",
            "UPSTREAM_READ_TIMEOUT": 2.0,
            "ACCESS_LOG": False,
            "TRANSLATIONS_DIR": translations,
            "REDIS_URL": redis_url,
            "SESSION_KEY_PREFIX": session_prefix,
            "REVOCATIONS_KEY": session_prefix + "revocations",
        }
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def gateway(make_gateway, echoes):
    return make_gateway({key: server.url for key, (_echo, server) in echoes.items()})


@pytest.fixture
def client(gateway):
    return gateway.test_client()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


# --- the web UI tests ---------------------------------------------------------------------------

def serve(fake):
    """A fake service on a server of its own for one test; its fixture yields from this."""
    server = StandIn(fake.app())
    fake.url = server.url
    yield fake
    server.stop()


def stopped_url() -> str:
    """The address of a service that is down: nothing listens there any more."""
    gone = StandIn(json_app({}))
    gone.stop()
    return gone.url


@pytest.fixture
def identity(request, tokens):
    """identity-service as the test module's IDENTITY stand-in plays it, FakeIdentity unless the
    module names another kind."""
    yield from serve(getattr(request.module, "IDENTITY", FakeIdentity)(tokens))


@pytest.fixture
def billing(tokens):
    yield from serve(FakeBilling(tokens))


@pytest.fixture
def payment(tokens, billing):
    """payment-service, settling the invoices of the `billing` stand-in."""
    yield from serve(FakePayment(tokens, billing))


@pytest.fixture
def urls(request, echoes) -> dict[str, str]:
    """Where the UI's gateway finds each service: an echo, unless the test module plays it with a
    stand-in. The module's PLAYED names those services; the fixture of each one's name serves it."""
    found = {key: server.url for key, (_echo, server) in echoes.items()}
    for service in getattr(request.module, "PLAYED", ()):
        found[service] = request.getfixturevalue(service).url
    return found


@pytest.fixture
def ui(make_gateway, urls):
    """A browser's view of a gateway calling `urls`: it keeps the session cookie."""
    return make_gateway(urls).test_client()


def sign_in(ui, identity, roles=("admin",)) -> None:
    """Signs in through the login form as a user whom the identity stand-in gives these roles."""
    identity.roles = list(roles)
    token = csrf_token(text(ui.get("/login")))
    assert ui.post("/login", data={"csrf_token": token, "username": "ana", "password": "right"}).status_code == 302


def text(response) -> str:
    return response.get_data(as_text=True)


def table(page: str, table_id: str) -> str:
    """The inside of one data table on the page."""
    match = re.search(rf'<table class="data[^"]*" id="{table_id}">(.*?)</table>', page, re.S)
    assert match, f"no table {table_id} on the page"
    return match.group(1)


def field_errors(page: str, field: str) -> str:
    """The error list rendered next to one field, as HTML (empty when it has none)."""
    match = re.search(rf'<ul class="field-errors" id="{field}-errors"[^>]*>(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""
