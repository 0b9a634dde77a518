"""billing-relay: publishes what billing-service wrote to its outbox, until SIGTERM/SIGINT."""
from __future__ import annotations

from billing_service.adapters.orm import OUTBOX
from billing_service.config import SERVICE_NAME, Config
from portal_shared import messaging
from portal_shared.db import make_engine
from portal_shared.logging import configure_logging


def main() -> None:
    config = Config()
    configure_logging(SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    try:
        messaging.run_relay(service=SERVICE_NAME, engine=engine, outbox_table=OUTBOX)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
