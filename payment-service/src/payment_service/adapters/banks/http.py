"""The pooled HTTP client every bank adapter shares: keep-alive connections, no hidden retries."""
from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def make_http_session(*, pool_size: int = 20) -> requests.Session:
    session = requests.Session()
    # No automatic retries: starting a payment is not idempotent at the bank, and the
    # reconciliation job asks again about anything left unknown.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=Retry(total=0, raise_on_status=False))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "portal-payment-service"
    return session
