"""The test TCP forwarder: forwards, cuts, refuses while cut, and forwards again after restore."""
from __future__ import annotations

import socket
import threading

import pytest

from portal_shared.testing import TcpProxy


@pytest.fixture
def echo_server():
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve_one(conn):
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    def accept_loop():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    listener.close()


def _echo(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(payload)
        return sock.recv(1024)


def test_proxy_forwards_cuts_and_restores(echo_server):
    with TcpProxy("127.0.0.1", echo_server) as proxy:
        assert _echo(proxy.port, b"one") == b"one"

        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        held.sendall(b"x")
        assert held.recv(16) == b"x"
        proxy.cut()
        # The open connection is gone: reading gives EOF or a reset, never more data.
        try:
            assert held.recv(16) == b""
        except ConnectionResetError:
            pass
        held.close()
        # New connections are accepted at TCP level but dropped at once.
        with pytest.raises(OSError):
            reply = _echo(proxy.port, b"two")
            if reply == b"":
                raise ConnectionResetError("closed by the proxy")

        proxy.restore()
        assert _echo(proxy.port, b"three") == b"three"


def test_proxy_url_keeps_credentials_and_vhost():
    proxy = TcpProxy("127.0.0.1", 5672)
    try:
        assert proxy.url("amqp://guest:guest@10.0.0.5:5672/%2F") == f"amqp://guest:guest@127.0.0.1:{proxy.port}/%2F"
        assert proxy.url("amqp://rabbit/vh") == f"amqp://127.0.0.1:{proxy.port}/vh"
    finally:
        proxy.close()
