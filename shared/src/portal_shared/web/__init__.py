"""HTTP plumbing for every service: problem+json errors, health endpoints, request context."""
from portal_shared.web.health import broker_check, database_check, distribution_version, health_blueprint
from portal_shared.web.problems import PROBLEM_JSON, problem_response, register_problem_handlers, use_case_problem
from portal_shared.web.request_context import init_request_context

__all__ = [
    "PROBLEM_JSON",
    "broker_check",
    "database_check",
    "distribution_version",
    "health_blueprint",
    "init_request_context",
    "problem_response",
    "register_problem_handlers",
    "use_case_problem",
]
