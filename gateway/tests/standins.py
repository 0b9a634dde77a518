"""Real HTTP servers standing in for the services, on 127.0.0.1 and a free port each."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class StandIn:
    """Serves a WSGI app in a thread until stop()."""

    def __init__(self, app: Callable):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Echo:
    """Answers 200 with what it received; remembers every request."""

    def __init__(self, service: str, *, delay: float = 0.0):
        self.service = service
        self.delay = delay
        self.received: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        seen = {
            "service": self.service,
            "method": request.method,
            "path": request.path,
            "query": request.query_string.decode(),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "body": request.get_data().decode("utf-8", "replace"),
        }
        with self._lock:
            self.received.append(seen)
        if self.delay:
            time.sleep(self.delay)
        response = Response(json.dumps(seen), status=200, mimetype="application/json")
        # Hop-by-hop headers a proxy must not pass on to its client.
        response.headers["Keep-Alive"] = "timeout=99"
        response.headers["Proxy-Authenticate"] = "Basic"
        response.headers["X-From-Service"] = self.service
        return response(environ, start_response)


def json_app(routes: dict[tuple[str, str], Callable[[Request], Response]]) -> Callable:
    """A tiny app from a {(method, path): handler} dict; anything else is 404."""

    def app(environ, start_response):
        request = Request(environ)
        handler = routes.get((request.method, request.path))
        response = handler(request) if handler else Response("{}", status=404, mimetype="application/json")
        return response(environ, start_response)

    return app


def json_response(body: dict | None, status: int = 200, headers: dict | None = None) -> Response:
    mimetype = "application/problem+json" if status >= 400 else "application/json"
    data = "" if body is None else json.dumps(body)
    return Response(data, status=status, mimetype=mimetype, headers=headers)
