"""The pooled HTTP client every call to a service goes through (the proxy, the web UI, probes).

Connections are kept alive per service, so a proxied request normally costs no TCP
handshake. Nothing is ever re-sent: a POST that reached the service once must not reach it
twice, so retries are off and a failure is answered as it happened (503 / 504 / 502).
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
)

from portal_shared.errors import UseCaseError

from portal_gateway.errors import SERVICE_INVALID_RESPONSE, SERVICE_TIMEOUT, SERVICE_UNAVAILABLE
from portal_gateway.routing import Service


def failure_for(exc: Exception, service: Service) -> UseCaseError:
    """How a call to a service failed, as the caller is told."""
    name = service.name
    # NewConnectionError subclasses ConnectTimeoutError: refused must be told apart first.
    if isinstance(exc, NewConnectionError):
        return SERVICE_UNAVAILABLE(f"{name} is unavailable.", service=name)
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return SERVICE_TIMEOUT(f"{name} did not answer in time.", service=name)
    return SERVICE_INVALID_RESPONSE(f"{name} sent an invalid response.", service=name)


def error_kind(exc: Exception) -> str:
    """The upstream_errors metric's kind: connect_refused, timeout or invalid_response."""
    if isinstance(exc, NewConnectionError):
        return "connect_refused"
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return "timeout"
    return "invalid_response"


UpstreamError = HTTPError
# Told of every failed call: (service, kind), kind as error_kind() names it or "5xx".
ErrorRecorder = Callable[[Service, str], None]


class Upstreams:
    def __init__(
        self,
        urls: dict[str, str],
        *,
        connect_timeout: float,
        read_timeout: float,
        pool_maxsize: int,
        on_error: ErrorRecorder | None = None,
    ):
        self.urls = urls
        self.on_error = on_error
        self.timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        # block=False: past maxsize a burst opens extra connections instead of queueing;
        # they are closed when returned, so the pool never holds more than maxsize per host.
        self.pool = urllib3.PoolManager(
            num_pools=len(urls) + 4,
            maxsize=pool_maxsize,
            block=False,
            retries=False,
            timeout=self.timeout,
        )
        # One pool per service, looked up by key: no URL parsing on the request path.
        self._pools = {key: self.pool.connection_from_url(url) for key, url in urls.items()}
        self._base_paths = {key: urlsplit(url).path.rstrip("/") for key, url in urls.items()}

    def request(
        self,
        service: Service,
        method: str,
        path_and_query: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        stream: bool = False,
        timeout: urllib3.Timeout | None = None,
    ) -> urllib3.BaseHTTPResponse:
        """One call, never retried. Raises urllib3's HTTPError subclasses; see failure_for()."""
        try:
            response = self._pools[service.key].urlopen(
                method,
                self._base_paths[service.key] + path_and_query,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                preload_content=not stream,
                # A proxied body passes through as the service encoded it; the UI reads JSON.
                decode_content=not stream,
                timeout=timeout or self.timeout,
            )
        except HTTPError as exc:
            self.record_error(service, exc)
            raise
        if response.status >= 500 and self.on_error is not None:
            self.on_error(service, "5xx")
        return response

    def record_error(self, service: Service, exc: Exception) -> None:
        """Also for failures after the call returned (a body that stalls or breaks mid-way)."""
        if self.on_error is not None:
            self.on_error(service, error_kind(exc))

    def close(self) -> None:
        self.pool.clear()
