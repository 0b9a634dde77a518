"""Whose X-Forwarded-For a service believes: the trusted proxies', by address, network or name."""
from __future__ import annotations

from portal_shared.web.forwarded import ForwardedByTrustedProxy, TrustedProxyPeers


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def seen_address(trusted: TrustedProxyPeers, peer: str, forwarded: str | None) -> str:
    seen = {}

    def app(environ, start_response):
        seen["address"] = environ["REMOTE_ADDR"]
        return []

    environ = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    ForwardedByTrustedProxy(app, trusted)(environ, lambda *args: None)
    return seen["address"]


def test_a_trusted_peer_names_the_client_with_the_last_entry():
    trusted = TrustedProxyPeers(["127.0.0.1", "10.0.0.0/8"])
    assert seen_address(trusted, "127.0.0.1", "203.0.113.9") == "203.0.113.9"
    assert seen_address(trusted, "10.1.2.3", "198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert seen_address(trusted, "10.1.2.3", None) == "10.1.2.3"


def test_anyone_else_is_counted_as_its_own_address():
    trusted = TrustedProxyPeers(["127.0.0.1", "10.0.0.0/8"])
    assert seen_address(trusted, "192.0.2.4", "203.0.113.9") == "192.0.2.4"
    # Rubbish in the header of a trusted peer does not become an address either.
    assert seen_address(trusted, "127.0.0.1", "not-an-address") == "127.0.0.1"


def test_host_names_are_resolved_again_after_their_ttl():
    answers = {"gateway": {"172.18.0.5"}}
    calls = []

    def resolver(name: str) -> set[str]:
        calls.append(name)
        return set(answers[name])

    clock = Clock()
    trusted = TrustedProxyPeers(["gateway"], resolver=resolver, ttl_seconds=30, clock=clock)
    assert "172.18.0.5" in trusted
    assert "172.18.0.6" not in trusted
    assert calls == ["gateway"]
    answers["gateway"] = {"172.18.0.6"}  # the gateway container came back with another address
    clock.now = 29
    assert "172.18.0.6" not in trusted
    clock.now = 31
    assert "172.18.0.6" in trusted
    assert calls == ["gateway", "gateway"]
