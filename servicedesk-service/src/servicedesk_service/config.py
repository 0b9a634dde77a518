"""servicedesk-service settings: portal_shared's ServiceConfig, read from the environment with local defaults."""
from __future__ import annotations

from datetime import datetime, timezone

from portal_shared.config import env_float, env_int, env_str
from portal_shared.service.config import ServiceConfig
from servicedesk_service.domain.stock import DEFAULT_LOW_TONER_PERCENT


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


class Config(ServiceConfig):
    SERVICE_NAME = "servicedesk-service"
    # Under VAR_DIR when DATABASE_URL is not set.
    DATABASE_FILE = "servicedesk.db"

    def __init__(self) -> None:
        super().__init__()
        # What "now" is for the rules that depend on it (one reading per calendar day); tests
        # pass their own callable to place a reading at a chosen local time.
        self.CLOCK = system_clock
        # Identity does not publish a customer's time zone yet, so every customer's calendar day
        # is counted in this one.
        self.CUSTOMER_TIME_ZONE = env_str("CUSTOMER_TIME_ZONE", "America/Mexico_City")
        # A toner reported at or under this percent is low: with the stock location at or under
        # its reorder point, it places a replenishment order.
        self.LOW_TONER_PERCENT = env_int("LOW_TONER_PERCENT", DEFAULT_LOW_TONER_PERCENT)
        # The staff overview asks these services, with the agent's own token, for what they own.
        self.IDENTITY_URL = env_str("IDENTITY_URL", "http://127.0.0.1:8001").rstrip("/")
        self.BILLING_URL = env_str("BILLING_URL", "http://127.0.0.1:8002").rstrip("/")
        self.PAYMENT_URL = env_str("PAYMENT_URL", "http://127.0.0.1:8003").rstrip("/")
        # How long the overview waits for each of them; a slower part is shown as unavailable
        # instead of holding the agent's page (and a web worker) hostage.
        self.PEER_TIMEOUT_SECONDS = env_float("PEER_TIMEOUT_SECONDS", 2.0)
        # The business-hours calendar response times are counted in: its zone, its opening hours
        # ("mon-fri 09:00-18:00; sat 09:00-13:00"), whether Mexico's statutory holidays close it, a
        # JSON file of the company's own closed days ([{"date": "2026-12-24", "name": "…"}]) and
        # the share of the allowed time left under which an incident is at risk.
        self.SERVICE_CALENDAR_ZONE = env_str("SERVICE_CALENDAR_ZONE", "America/Mexico_City")
        self.SERVICE_HOURS = env_str("SERVICE_HOURS", "mon-fri 09:00-18:00")
        self.SERVICE_STATUTORY_HOLIDAYS = env_str("SERVICE_STATUTORY_HOLIDAYS", "MX")
        self.SERVICE_HOLIDAYS_FILE = env_str("SERVICE_HOLIDAYS_FILE", "")
        self.SLA_AT_RISK_FRACTION = env_str("SLA_AT_RISK_FRACTION", "0.25")


SERVICE_NAME = Config.SERVICE_NAME
