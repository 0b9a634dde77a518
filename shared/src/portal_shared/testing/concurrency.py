"""Races on purpose: an app on a threaded server of its own, and requests released all at once.

What a unique constraint or a row lock must settle is only tested when the requests really
overlap: each thread waits at a barrier, then all send together.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask
from werkzeug.serving import make_server

T = TypeVar("T")


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app on a threaded server on a free port, as a web tier runs it; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def at_once(count: int, action: Callable[[int], T]) -> list[T]:
    """action(0) … action(count - 1), each in a thread of its own, released together; their results
    in the order they finished. An action's exception is raised here once all have ended; each
    action bounds its own wait (a request with a timeout), so the threads end."""
    start = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        start.wait()
        try:
            result = action(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread below
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
