"""The client's address behind the gateway, believed only when the gateway is the one telling.

The gateway sends each request on with one X-Forwarded-For entry: the client as it determined it.
A service that acts on the client's address (identity's per-address sign-in lockout) takes that
entry as REMOTE_ADDR when, and only when, the connection comes from a trusted proxy; from anyone
else the header is ignored, so a caller that reaches the service directly cannot pick an address.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], set[str]]


def resolve_host(name: str) -> set[str]:
    try:
        return {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        return set()


def parse_trusted(entries: Iterable[str]) -> tuple[list[IPNetwork], list[str]]:
    """Addresses and networks ("10.0.0.0/8", "::1"), and host names ("gateway") to resolve."""
    networks: list[IPNetwork] = []
    hosts: list[str] = []
    for entry in (e.strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.append(entry)
    return networks, hosts


class TrustedProxyPeers:
    """Is this peer one of the trusted proxies? Host names are looked up at most every ttl seconds
    (a restarted gateway container comes back with another address)."""

    def __init__(self, entries: Iterable[str], *, resolver: Resolver = resolve_host, ttl_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.networks, self.hosts = parse_trusted(entries)
        self._resolver = resolver
        self._ttl = ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._resolved: tuple[float, set[str]] | None = None

    def _host_addresses(self) -> set[str]:
        if not self.hosts:
            return set()
        with self._lock:
            now = self._clock()
            if self._resolved is None or now - self._resolved[0] >= self._ttl:
                found: set[str] = set()
                for host in self.hosts:
                    found |= self._resolver(host)
                self._resolved = (now, found)
            return self._resolved[1]

    def __contains__(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        if any(address in network for network in self.networks):
            return True
        return peer in self._host_addresses()


class ForwardedByTrustedProxy:
    """WSGI middleware: REMOTE_ADDR := the last X-Forwarded-For entry, for trusted peers only."""

    def __init__(self, app, trusted: TrustedProxyPeers):
        self.app = app
        self.trusted = trusted

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        forwarded = environ.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and peer in self.trusted:
            client = forwarded.split(",")[-1].strip()
            try:
                ipaddress.ip_address(client)
            except ValueError:
                client = ""
            if client:
                environ["REMOTE_ADDR"] = client
        return self.app(environ, start_response)
