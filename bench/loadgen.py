"""A bounded HTTP/1.1 load generator in pure Python: one thread, non-blocking sockets.

One event loop over N keep-alive connections costs far less CPU per request than N
threads fighting over the GIL, which matters when the generator shares two cores with
what it measures. Each connection sends a request, reads the whole answer (Content-Length
only, which both the services and the gateway send), records the latency, and repeats until
the duration or the request budget runs out.
"""
from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _Connection:
    def __init__(self, host: str, port: int, request: bytes):
        self.address = (host, port)
        self.request = request
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.started = 0.0
        self.sent = 0

    def open(self) -> socket.socket:
        sock = socket.create_connection(self.address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.sock = sock
        return sock


def run(host: str, port: int, path: str, *, headers: dict[str, str], concurrency: int, duration: float,
        max_requests: int) -> Result:
    header_lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{header_lines}\r\n".encode()
    selector = selectors.DefaultSelector()
    result = Result()
    connections = [_Connection(host, port, request) for _ in range(concurrency)]
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + duration
    issued = 0

    def send(connection: _Connection) -> None:
        nonlocal issued
        issued += 1
        connection.started = time.perf_counter()
        connection.buffer = b""
        connection.sent = connection.sock.send(connection.request)
        if connection.sent < len(connection.request):
            selector.modify(connection.sock, selectors.EVENT_WRITE, connection)

    for connection in connections:
        selector.register(connection.open(), selectors.EVENT_READ, connection)
        send(connection)
    active = len(connections)

    while active:
        for key, events in selector.select(timeout=1.0):
            connection: _Connection = key.data
            if events & selectors.EVENT_WRITE:
                connection.sent += connection.sock.send(connection.request[connection.sent:])
                if connection.sent == len(connection.request):
                    selector.modify(connection.sock, selectors.EVENT_READ, connection)
                continue
            try:
                chunk = connection.sock.recv(262144)
            except BlockingIOError:
                continue
            if not chunk:
                # The server closed the connection: count it and open a fresh one.
                result.errors += 1
                selector.unregister(connection.sock)
                connection.sock.close()
                selector.register(connection.open(), selectors.EVENT_READ, connection)
                send(connection)
                continue
            connection.buffer += chunk
            head_end = connection.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                continue
            head = connection.buffer[:head_end].lower()
            marker = head.find(b"content-length:")
            if marker < 0:
                raise RuntimeError("response without Content-Length: " + head.decode(errors="replace")[:200])
            line_end = head.find(b"\r\n", marker)
            length = int(head[marker + 15:line_end if line_end >= 0 else len(head)])
            if len(connection.buffer) < head_end + 4 + length:
                continue
            now = time.perf_counter()
            status = int(connection.buffer[9:12])
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if status == 200:
                result.requests += 1
                result.latencies.append(now - connection.started)
            else:
                result.errors += 1
            if now < deadline and issued < max_requests:
                send(connection)
            else:
                selector.unregister(connection.sock)
                connection.sock.close()
                active -= 1
    result.elapsed = time.perf_counter() - started
    result.cpu = time.process_time() - cpu_started
    selector.close()
    return result
