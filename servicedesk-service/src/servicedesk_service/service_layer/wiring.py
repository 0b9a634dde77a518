"""Builds the ServicedeskContext from settings: the web app and the consumer each build one at start."""
from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from portal_shared.outbox import Outbox
from servicedesk_service.adapters.calendar_settings import calendar_from_config
from servicedesk_service.adapters.orm import OUTBOX
from servicedesk_service.adapters.peers import portal_services_from
from servicedesk_service.service_layer.context import ServicedeskContext

# Five reads per overview; enough threads for a few agents at once (gunicorn runs 8 threads a worker).
PEER_THREADS = 16


def build_context(config: Mapping[str, Any], session_factory: sessionmaker[Session]) -> ServicedeskContext:
    """No connection is opened here; the peers' threads start with the first overview. A calendar
    setting that does not parse stops the process here, not at the first incident."""
    return ServicedeskContext(
        session_factory=session_factory,
        outbox=Outbox(OUTBOX),
        clock=config["CLOCK"],
        calendar=calendar_from_config(config),
        peers=portal_services_from(config),
        peer_calls=ThreadPoolExecutor(max_workers=PEER_THREADS, thread_name_prefix="peer-call"),
        peer_timeout_seconds=float(config["PEER_TIMEOUT_SECONDS"]),
        customer_time_zone=config["CUSTOMER_TIME_ZONE"],
        low_toner_percent=int(config["LOW_TONER_PERCENT"]),
    )
