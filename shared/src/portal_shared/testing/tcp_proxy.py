"""A small TCP forwarder for tests: makes a server (RabbitMQ) unreachable without stopping it.

It listens on loopback only, forwards to one target, and can cut every open connection and
refuse new ones (cut), then let them through again (restore). Bounded: at most
`max_connections` pairs, two threads each.
"""
from __future__ import annotations

import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit


def _abort(sock: socket.socket) -> None:
    """Close with a reset, as a vanished peer or a dropped route looks to the client."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        # close() alone would not wake a pump thread blocked in recv() on this socket.
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, *, max_connections: int = 32, connect_timeout: float = 5.0):
        self.target = (target_host, target_port)
        self.max_connections = max_connections
        self.connect_timeout = connect_timeout
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._refusing = False
        self._closed = threading.Event()
        self._accepter = threading.Thread(target=self._accept_loop, name=f"tcp-proxy-{self.port}", daemon=True)

    @classmethod
    def for_url(cls, url: str, default_port: int = 5672, **kwargs) -> "TcpProxy":
        parsed = urlsplit(url)
        return cls(parsed.hostname or "127.0.0.1", parsed.port or default_port, **kwargs)

    def url(self, url: str) -> str:
        """`url` rewritten to go through the proxy (credentials, path and query kept)."""
        parsed = urlsplit(url)
        userinfo = parsed.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit(parsed._replace(netloc=netloc))

    def start(self) -> "TcpProxy":
        self._accepter.start()
        return self

    def __enter__(self) -> "TcpProxy":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until restore()."""
        with self._lock:
            self._refusing = True
            pairs = list(self._pairs)
            self._pairs.clear()
        for client, upstream in pairs:
            _abort(client)
            _abort(upstream)

    def restore(self) -> None:
        with self._lock:
            self._refusing = False

    def close(self) -> None:
        self._closed.set()
        self.cut()
        if self._accepter.is_alive():
            self._accepter.join(timeout=2)
        self._listener.close()

    stop = close  # the name the cross-service test stack uses

    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                refuse = self._refusing or len(self._pairs) >= self.max_connections
            if refuse:
                _abort(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=self.connect_timeout)
            except OSError:
                _abort(client)
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                if self._refusing:
                    _abort(client)
                    _abort(upstream)
                    continue
                self._pairs.add(pair)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(pair, source, sink), daemon=True).start()

    def _pump(self, pair, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                known = pair in self._pairs
                self._pairs.discard(pair)
            if known:
                # One side ended: end the other too, so neither peer waits on a half-open link.
                for sock in pair:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    try:
                        sock.close()
                    except OSError:
                        pass
