"""Browser sessions kept in Redis: the cookie holds only an opaque random id.

What a signed-in browser holds (identity's tokens, the CSRF secret, the language, flashed
messages) lives server-side in one Redis hash per session, so signing out deletes it and a
copied cookie is worth nothing afterwards. The hash is keyed by a digest of the id, so
whoever reads Redis cannot present its keys as cookies.

Two clocks end a session: the idle timeout (the hash's TTL, renewed by every request) and
the absolute timeout (counted from sign-in or first visit, whatever the activity).

Each request writes back only the entries it changed, one hash field each, so two requests
of one browser in flight at once (two tabs, a page and its PDF) do not undo each other's
changes to different entries: a language switch cannot put back a refresh token that a
concurrent refresh just replaced.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from typing import Any

import redis
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin

log = logging.getLogger(__name__)

# When the session began (sign-in regenerates it): the absolute timeout counts from here.
_CREATED = "_created"


class ServerSession(dict, SessionMixin):
    """The session's entries, remembering which ones this request changed or removed."""

    def __init__(self, sid: str | None, entries: dict[str, Any] | None = None, *, created: float | None = None):
        super().__init__(entries or {})
        self.sid = sid
        self.created = created if created is not None else time.time()
        self.changed: set[str] = set()
        self.removed: set[str] = set()
        self.regenerated = False
        self.unavailable = False

    @property
    def new(self) -> bool:  # type: ignore[override]
        return self.sid is None

    @property
    def modified(self) -> bool:  # type: ignore[override]
        return bool(self.changed or self.removed or self.regenerated)

    def _touch(self, key: str) -> None:
        self.changed.add(key)
        self.removed.discard(key)

    def _drop(self, key: str) -> None:
        self.removed.add(key)
        self.changed.discard(key)

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._touch(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._drop(key)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self._drop(key)
        return super().pop(key, *default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        for key in list(self):
            self._drop(key)
        super().clear()

    def regenerate(self) -> None:
        """A new id for what the session holds (sign-in, sign-out): the old id stops working."""
        self.regenerated = True


class UnavailableSession(ServerSession):
    """Redis could not be reached: nothing is kept, and pages say sign-in is unavailable."""

    def __init__(self) -> None:
        super().__init__(None)
        self.unavailable = True


class RedisSessionStore(SessionInterface):
    def __init__(self, client: redis.Redis, *, prefix: str, idle_seconds: int, absolute_seconds: int):
        if idle_seconds <= 0 or absolute_seconds <= 0:
            raise ValueError("session timeouts must be positive")
        self.client = client
        self.prefix = prefix
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds

    def key(self, sid: str) -> str:
        return self.prefix + hashlib.sha256(sid.encode()).hexdigest()

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 128:
            return ServerSession(None)
        try:
            stored = self.client.hgetall(self.key(sid))
        except redis.RedisError as exc:
            log.error("the session store could not be read: %s", exc)
            return UnavailableSession()
        if not stored:
            return ServerSession(None)  # signed out, timed out, or never issued
        entries = {name.decode(): json.loads(value) for name, value in stored.items()}
        created = float(entries.pop(_CREATED, 0) or 0)
        if time.time() - created >= self.absolute_seconds:
            self._delete_quietly(sid)
            return ServerSession(None)
        return ServerSession(sid, entries, created=created)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        if session.unavailable:
            return
        had_cookie = session.sid is not None
        if session.regenerated:
            # A new session in all but its contents: a new id, and its clocks start now.
            if session.sid is not None:
                self._delete_quietly(session.sid)
                session.sid = None
            session.created = time.time()
        if not session:
            # Nothing worth keeping (signed out, no language chosen): no session and no cookie.
            if session.sid is not None:
                self._delete_quietly(session.sid)
            if had_cookie:
                response.delete_cookie(self.get_cookie_name(app), domain=self.get_cookie_domain(app),
                                       path=self.get_cookie_path(app))
            return
        lifetime = self._remaining(session)
        if lifetime <= 0:
            return
        try:
            if session.sid is None:
                self._write_new(session, lifetime)
                self._set_cookie(app, session, response)
            else:
                self._write_changes(session, lifetime)
        except redis.RedisError as exc:
            # The answer already says what happened; what it changed in the session is lost.
            log.error("the session store could not be written: %s", exc)

    def _remaining(self, session: ServerSession) -> int:
        left = session.created + self.absolute_seconds - time.time()
        return int(min(self.idle_seconds, left))

    def _write_new(self, session: ServerSession, lifetime: int) -> None:
        session.sid = secrets.token_urlsafe(32)
        key = self.key(session.sid)
        fields = {name: json.dumps(value) for name, value in session.items()}
        fields[_CREATED] = json.dumps(session.created)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, lifetime)
        pipe.execute()

    def _write_changes(self, session: ServerSession, lifetime: int) -> None:
        key = self.key(session.sid)  # type: ignore[arg-type]
        if not session.modified:
            self.client.expire(key, lifetime)  # renews the idle clock; a deleted session stays deleted
            return

        def write(pipe: redis.client.Pipeline) -> None:
            # A request that began before sign-out must not bring the signed-out session back.
            if not pipe.exists(key):
                return
            pipe.multi()
            if session.changed:
                pipe.hset(key, mapping={name: json.dumps(session[name]) for name in session.changed})
            if session.removed:
                pipe.hdel(key, *session.removed)
            pipe.expire(key, lifetime)

        self.client.transaction(write, key)

    def _set_cookie(self, app: Flask, session: ServerSession, response: Response) -> None:
        # A browser-session cookie: the server's clocks decide when it stops working.
        response.set_cookie(
            self.get_cookie_name(app),
            session.sid or "",
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )

    def _delete_quietly(self, sid: str) -> None:
        try:
            self.client.delete(self.key(sid))
        except redis.RedisError as exc:
            log.error("a session could not be deleted: %s", exc)


def session_store_from(config: dict[str, Any]) -> RedisSessionStore:
    client = redis.Redis.from_url(
        config["REDIS_URL"],
        socket_connect_timeout=config["REDIS_TIMEOUT"],
        socket_timeout=config["REDIS_TIMEOUT"],
        health_check_interval=30,
    )
    return RedisSessionStore(
        client,
        prefix=config["SESSION_KEY_PREFIX"],
        idle_seconds=int(config["SESSION_IDLE_TIMEOUT_SECONDS"]),
        absolute_seconds=int(config["SESSION_ABSOLUTE_TIMEOUT_SECONDS"]),
    )
