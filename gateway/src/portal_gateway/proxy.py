"""The reverse proxy for /api/… and the JWKS path, as plain WSGI in front of the Flask app.

It runs on every API call of every customer, so it stays below Flask: no request context,
no per-request compilation (routes and policy are compiled at start-up), no parsing of
bodies, one optional access-log line. Everything else (web UI, OpenAPI, health) falls
through to the Flask app.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from urllib.parse import quote

import urllib3
from portal_shared import correlation
from portal_shared import errors
from portal_shared.errors import UseCaseError
from portal_shared.auth import ACCESS, ACTIVATION, InvalidToken, KeysUnavailable, RevokedToken, TokenVerifier
from portal_shared.logging import log_fields
from portal_shared.metrics import HttpMetrics
from portal_shared.web.body_limit import body_limit_for
from portal_shared.web.json_body import BODY_METHODS, BodyRefused, is_file_body, parse_json_body
from portal_shared.web.problems import PROBLEM_JSON, refusal_document

from portal_gateway import routing
from portal_gateway.policy import ACTIVATION as WHO_ACTIVATION
from portal_gateway.policy import ANY_USER, PUBLIC, Policy, Rule
from portal_gateway.upstream import UpstreamError, Upstreams, failure_for

access_log = logging.getLogger("portal.access")
log = logging.getLogger(__name__)

# RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
     "te", "trailer", "trailers", "transfer-encoding", "upgrade"}
)
# Set by the gateway itself, so the caller's copies are dropped. Also dropped: Expect (the body
# is already read here) and Cookie (the API takes bearer tokens; the UI's session cookie holds
# the user's refresh token, which no service should see).
_REPLACED_REQUEST = frozenset({"host", "content-length", "x-correlation-id", "x-forwarded-for",
                               "x-forwarded-proto", "x-forwarded-host", "expect", "cookie"})
_REPLACED_RESPONSE = frozenset({"x-correlation-id"})
# Bodies up to this size are read in one go; larger ones are streamed in chunks of it.
_CHUNK = 64 * 1024
# Characters kept as they are when the decoded path is quoted again for the service.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"

StartResponse = Callable[..., object]
ANSWERED_BY = ("X-Answered-By", "gateway")


def _bearer(environ: dict) -> str | None:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def authorize(rule: Rule | None, environ: dict, verifier: TokenVerifier) -> None:
    """Raise a UseCaseError unless the policy admits this request (rule None = not in the table)."""
    if rule is not None and rule.who is PUBLIC:
        return
    token = _bearer(environ)
    if token is None:
        raise errors.AUTH_REQUIRED("Send an access token as 'Authorization: Bearer …'.",
                                   headers={"WWW-Authenticate": "Bearer"})
    try:
        principal = verifier.verify(token)
    except KeysUnavailable:
        raise errors.AUTH_KEYS_UNAVAILABLE("identity-service's signing keys could not be fetched.") from None
    except RevokedToken:
        raise errors.AUTH_REVOKED("This access token no longer grants access: refresh it or sign in again.",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    except InvalidToken:
        raise errors.AUTH_INVALID("The access token is invalid or has expired.",
                                  headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from None
    if principal.token_type not in (ACCESS, ACTIVATION):
        raise errors.AUTH_INVALID("This kind of token is not accepted here.")
    if rule is None:
        raise errors.FORBIDDEN("This request is not allowed.")
    who = rule.who
    if who is WHO_ACTIVATION:
        if principal.token_type == ACTIVATION:
            return
        raise errors.FORBIDDEN("Only the first sign-in may call this.")
    if principal.token_type != ACCESS:
        raise errors.ACTIVATION_REQUIRED("Register your e-mail and choose a new password first.")
    if who is ANY_USER or principal.roles & who:
        return
    raise errors.FORBIDDEN("Your role does not allow this.")


def problem(start_response: StartResponse, refusal: UseCaseError, cid: str) -> list[bytes]:
    data = json.dumps(refusal_document(refusal)).encode()
    start_response(
        f"{refusal.status} {HTTPStatus(refusal.status).phrase}",
        # ANSWERED_BY: the gateway said this itself, no service was asked (a refusal, an upstream
        # failure): whoever reads a 401 or a 503 knows where to look.
        [("Content-Type", PROBLEM_JSON), ("Content-Length", str(len(data))), (correlation.HEADER, cid),
         ANSWERED_BY, *refusal.headers.items()],
    )
    return [data]


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def _has_dot_segment(path: str) -> bool:
    # "." and ".." would be resolved differently by the gateway's policy and the service.
    return "/." in path and any(seg in (".", "..") for seg in path.split("/"))


class StreamedBody:
    """Hands the service's body to the server chunk by chunk; gives the connection back at the end.

    Also used by the UI to pass a statement's PDF on without holding it in memory.
    """

    def __init__(self, response: urllib3.BaseHTTPResponse):
        self._response = response
        self._complete = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._response.stream(_CHUNK, decode_content=False):
            yield chunk
        self._complete = True

    def close(self) -> None:
        if not self._complete:
            # The client went away mid-body: the connection holds unread bytes, so it is closed
            # rather than pooled.
            self._response.close()
        self._response.release_conn()


class ProxyMiddleware:
    def __init__(
        self,
        app: Callable,
        *,
        upstreams: Upstreams,
        policy: Policy,
        verifier: TokenVerifier,
        access_log_enabled: bool,
        local_prefixes: tuple[str, ...] = ("/api/v1/openapi",),
        metrics: HttpMetrics | None = None,
    ):
        self.app = app
        self.upstreams = upstreams
        self.policy = policy
        self.verifier = verifier
        self.access_log_enabled = access_log_enabled
        self.local_prefixes = local_prefixes
        self.metrics = metrics

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not (path.startswith("/api/") or path in routing.EXACT) or path.startswith(self.local_prefixes):
            return self.app(environ, start_response)
        started = time.perf_counter()
        cid = correlation.sanitize(environ.get("HTTP_X_CORRELATION_ID")) or correlation.new_correlation_id()
        status_seen: list[int] = []
        # The policy rule's pattern (/api/v1/invoices/{id}) is the metrics' route: never the raw path.
        route: list[str] = []
        cid_token = correlation.set_correlation_id(cid)

        def recording_start_response(status: str, headers: list, exc_info=None):
            status_seen.append(int(status[:3]))
            return start_response(status, headers, exc_info)

        try:
            return self._proxy(environ, recording_start_response, path, cid, route)
        finally:
            if self.metrics is not None:
                self.metrics.observe(environ.get("REQUEST_METHOD", "GET"), route[0] if route else None,
                                     status_seen[0] if status_seen else 500, time.perf_counter() - started)
            if self.access_log_enabled:
                access_log.info(
                    "request",
                    extra=log_fields({"method": environ.get("REQUEST_METHOD"), "path": path,
                           "status": status_seen[0] if status_seen else 0,
                           "duration_ms": round((time.perf_counter() - started) * 1000, 2)}),
                )
            correlation.reset_correlation_id(cid_token)

    def _proxy(self, environ: dict, start_response: StartResponse, path: str, cid: str,
               route: list[str]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        service = routing.resolve(path)
        if service is None or _has_dot_segment(path):
            return problem(start_response, errors.NOT_FOUND(f"No route for {path}."), cid)
        rule = self.policy.match(method, path)
        if rule is not None:
            route.append(rule.pattern)
        try:
            authorize(rule, environ, self.verifier)
        except UseCaseError as denied:
            return problem(start_response, denied, cid)

        # The route's own limit, from the table the service reads too (portal_shared.web.body_limit).
        max_body = body_limit_for(method, rule.pattern if rule is not None else None)
        body, too_large = self._read_body(environ, max_body)
        if too_large:
            return problem(start_response, errors.TOO_LARGE(f"The request body exceeds {max_body} bytes.",
                                                            errors={"body": ["Request body too large."]}), cid)
        pattern = rule.pattern if rule is not None else None
        if body and method in BODY_METHODS and not is_file_body(method, pattern, environ.get("CONTENT_TYPE")):
            # The services refuse these too; refusing at the door spares them the hostile ones.
            try:
                parse_json_body(body, environ.get("CONTENT_TYPE"))
            except BodyRefused as refused:
                return problem(start_response, refused, cid)

        target = quote(path.encode("latin-1"), safe=_PATH_SAFE)
        query = environ.get("QUERY_STRING")
        if query:
            target = f"{target}?{query}"
        try:
            response = self.upstreams.request(
                service, method, target, body=body, headers=self._request_headers(environ, cid, body), stream=True
            )
        except UpstreamError as exc:
            # "service" is the logging process (the gateway): the one called is "upstream".
            log.warning("upstream call failed", extra=log_fields({"upstream": service.name, "error": repr(exc)}))
            return problem(start_response, failure_for(exc, service), cid)

        status = f"{response.status} {response.reason or _phrase(response.status)}"
        headers = self._response_headers(response, cid)
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) <= _CHUNK:
            # Small bodies (nearly all API answers) are read before answering: no generator per
            # request, and a service that stalls mid-body is still a clean 504.
            try:
                data = response.read(decode_content=False)
            except UpstreamError as exc:
                self.upstreams.record_error(service, exc)
                response.close()
                return problem(start_response, failure_for(exc, service), cid)
            finally:
                response.release_conn()
            start_response(status, headers)
            return [data]
        start_response(status, headers)
        return StreamedBody(response)

    @staticmethod
    def _read_body(environ: dict, max_body: int) -> tuple[bytes | None, bool]:
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                size = max_body + 1
            if size > max_body:
                return None, True
            return stream.read(size) if size else b"", False
        if environ.get("wsgi.input_terminated") or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", ""):
            # No length given: read one byte past the limit to tell "at most" from "more".
            data = stream.read(max_body + 1)
            if len(data) > max_body:
                return None, True
            return data or None, False
        return None, False

    @staticmethod
    def _request_headers(environ: dict, cid: str, body: bytes | None) -> dict[str, str]:
        connection_named = environ.get("HTTP_CONNECTION", "")
        dropped = HOP_BY_HOP | _REPLACED_REQUEST
        if connection_named:
            dropped = dropped | {name.strip().lower() for name in connection_named.split(",")}
        headers: dict[str, str] = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").lower()
                if name not in dropped:
                    headers[name] = value
        content_type = environ.get("CONTENT_TYPE")
        if content_type:
            headers["content-type"] = content_type
        if body is not None:
            headers["content-length"] = str(len(body))
        # The client as the gateway determined it (TRUSTED_PROXY_HOPS), as the only entry: whatever
        # the caller wrote into X-Forwarded-For itself never reaches a service.
        headers["x-forwarded-for"] = environ.get("REMOTE_ADDR", "")
        headers["x-forwarded-proto"] = environ.get("wsgi.url_scheme", "http")
        if "HTTP_HOST" in environ:
            headers["x-forwarded-host"] = environ["HTTP_HOST"]
        headers[correlation.HEADER] = cid
        return headers

    @staticmethod
    def _response_headers(response: urllib3.BaseHTTPResponse, cid: str) -> list[tuple[str, str]]:
        connection_named = response.headers.get("Connection", "")
        dropped = HOP_BY_HOP | _REPLACED_RESPONSE
        if connection_named:
            dropped = dropped | {name.strip().lower() for name in connection_named.split(",")}
        headers = [(name, value) for name, value in response.headers.items() if name.lower() not in dropped]
        headers.append((correlation.HEADER, cid))
        return headers
