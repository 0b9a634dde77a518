"""What every devices view needs: the session factory, the clock, the caller, and error mapping."""
from __future__ import annotations

import functools
import uuid
from datetime import datetime

from flask import current_app

from portal_shared.auth.flask import current_principal
from portal_shared.web import Problem
from servicedesk_service.domain.calendar import BusinessCalendar
from servicedesk_service.domain.audit import Actor, actor_of
from servicedesk_service.domain.devices import DeviceScope, scope_for
from servicedesk_service.service_layer.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable


def session_factory():
    return current_app.extensions["servicedesk.session_factory"]


def now() -> datetime:
    return current_app.config["CLOCK"]()


def calendar() -> BusinessCalendar:
    """The business-hours calendar response times are counted in (SERVICE_* settings)."""
    return current_app.extensions["servicedesk.calendar"]


def time_zone() -> str:
    return current_app.config["CUSTOMER_TIME_ZONE"]


def caller_id() -> uuid.UUID | None:
    try:
        return uuid.UUID(str(current_principal().user_id))
    except ValueError:
        return None


def caller_scope() -> DeviceScope:
    return scope_for(current_principal())


def caller() -> Actor:
    """The caller as the audit log names them."""
    return actor_of(current_principal())


def problems(view):
    """The use cases' outcomes as problem documents."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except NotFound as exc:
            raise Problem(404, "Not found", str(exc)) from exc
        except Invalid as exc:
            problem = Problem.validation(exc.errors, exc.detail)
            # Extra members (e.g. previous_value, previous_read_on) let a client show the rule's figures.
            problem.extensions = exc.extensions
            raise problem from exc
        except Forbidden as exc:
            raise Problem(403, "Forbidden", str(exc)) from exc
        except Conflict as exc:
            problem = Problem(409, "Conflict", exc.detail, errors=exc.errors)
            # Extra members (e.g. read_on of the day already taken) let a client word the refusal itself.
            problem.extensions = exc.extensions
            raise problem from exc
        except Unavailable as exc:
            raise Problem(503, "Service unavailable", str(exc)) from exc

    return wrapper
