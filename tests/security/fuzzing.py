"""Property-based fuzzing of one service's OpenAPI document through the gateway (schemathesis).

Every operation the document lists gets a few generated requests, positive and negative, sent
through the gateway with a token of a role the gateway's policy admits for it, so most requests
get past the role check and reach the service's own validation. Each answer must not be a
server error and, where the document describes the status answered, must match its schema.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from portal_gateway.policy import ACTIVATION, ANY_USER, PUBLIC, Policy, Rule
from stack import CLIENT_ADDRESS_HEADER, client_address

# Tried in this order: the first role the policy admits for an operation signs its requests.
ROLE_PREFERENCE = ("admin", "billing", "device_admin", "stock_admin", "operator", "agent")
CHECKS = [not_a_server_error, response_schema_conformance]
# A per-request ceiling: a service that stalls fails here instead of holding the suite.
REQUEST_TIMEOUT = 10.0


@dataclass
class Report:
    tried: dict[str, int] = field(default_factory=dict)  # operation -> requests sent
    failures: dict[str, str] = field(default_factory=dict)  # operation -> what failed
    excluded: dict[str, str] = field(default_factory=dict)  # operation -> why


def token_of_admitted_role(rule: Rule, tokens: dict[str, str]) -> str | None:
    """A token the rule admits, from those at hand (the first role of ROLE_PREFERENCE that has one);
    None for a public rule, or when no token at hand is admitted."""
    if rule.who is PUBLIC:
        return None
    if rule.who is ACTIVATION:
        return tokens.get("activation")
    if rule.who is ANY_USER:
        return tokens.get("admin")
    return next((tokens[role] for role in ROLE_PREFERENCE if role in rule.who and role in tokens), None)


def token_for(policy: Policy, method: str, path: str, tokens: dict[str, str]) -> str | None:
    rule = policy.match(method, path)
    assert rule is not None, f"{method} {path} is in the OpenAPI document but not in the gateway's policy"
    token = token_of_admitted_role(rule, tokens)
    if token is None and rule.who is not PUBLIC:
        raise AssertionError(f"{method} {path}: no token of a role in {sorted(rule.who)}")
    return token


def fuzz_service(gateway_url: str, service: str, tokens: dict[str, str], *, excluded: dict[str, str],
                 max_examples: int, budget_seconds: float) -> Report:
    schema = schemathesis.openapi.from_url(f"{gateway_url}/api/v1/openapi/{service}.json")
    policy = Policy()
    address = client_address()
    report = Report()
    http = requests.Session()
    deadline = time.monotonic() + budget_seconds
    for result in schema.get_all_operations():
        operation = result.ok()
        name = f"{operation.method.upper()} {operation.path}"
        if name in excluded:
            report.excluded[name] = excluded[name]
            continue
        if time.monotonic() > deadline:
            report.failures[name] = f"not reached within the {budget_seconds:.0f} s budget"
            continue
        token = token_for(policy, operation.method.upper(), operation.path, tokens)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # The fuzzer's failed sign-ins lock its own address only (tests/stack.py, client_address).
        headers[CLIENT_ADDRESS_HEADER] = address
        sent = [0]

        @settings(max_examples=max_examples, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                  report_multiple_bugs=False)
        @given(case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
        def run(case):
            sent[0] += 1
            response = case.call(base_url=gateway_url, session=http, headers=headers, timeout=REQUEST_TIMEOUT)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - reported with its operation
            report.failures[name] = _summary(failure)
        report.tried[name] = sent[0]
    return report


def _summary(failure: BaseException) -> str:
    """The failure's own words, short: schemathesis names each distinct problem with its request."""
    text = str(failure)
    for inner in getattr(failure, "exceptions", ()):
        text += "\n" + str(inner)
    return f"{type(failure).__name__}: {text[:2500]}"
