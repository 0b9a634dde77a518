"""Finding a customer in identity's directory by what a person knows of it: the company's name,
its RFC, the system account number or one of its account numbers.

One search for the customer service pages (/staff/customers) and for the customer picker of
every page where staff name a customer (web/page_helpers.py), so both find the same customers.
"""
from __future__ import annotations

import unicodedata
from typing import Any


def folded(text: Any) -> str:
    """Lower case without accents, so "estacion" finds "Estación"."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _names(customer: dict[str, Any]) -> list[Any]:
    return [customer.get("name"), customer.get("rfc"), customer.get("system_account_number"),
            *(customer.get("account_numbers") or [])]


def matches(customer: dict[str, Any], query: str) -> bool:
    """The query in the name, the RFC, the system account number or a customer account number."""
    wanted = folded(query)
    return any(wanted in folded(value) for value in _names(customer))


def search(customers: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The customers the query finds, in the directory's order; every one for an empty query."""
    return [customer for customer in customers if not query or matches(customer, query)]


def pick(customers: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """The customers a picker's query names: the search's, narrowed to the one whose id, name, RFC
    or account number is exactly the query when only one is (account 005300 is not also 0053001's)."""
    wanted = query.strip()
    if not wanted:
        return []
    # An id (a link's, or pasted from elsewhere) names its customer whatever else it appears in.
    by_id = [customer for customer in customers if str(customer.get("id") or "") == wanted]
    if by_id:
        return by_id
    found = search(customers, wanted)
    exact = [customer for customer in found
             if any(folded(value) == folded(wanted) for value in _names(customer) if value)]
    return exact if len(exact) == 1 else found
