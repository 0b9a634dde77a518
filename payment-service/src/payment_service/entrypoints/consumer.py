"""payment-consumer: applies the events listed in service_layer/subscriptions.py, until SIGTERM/SIGINT."""
from __future__ import annotations

from payment_service.adapters.orm import INBOX
from payment_service.config import SERVICE_NAME, Config
from payment_service.service_layer.subscriptions import HANDLERS
from portal_shared import messaging
from portal_shared.db import make_engine, make_session_factory
from portal_shared.logging import configure_logging


def main() -> None:
    config = Config()
    configure_logging(SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    try:
        messaging.run_consumer(
            service=SERVICE_NAME,
            session_factory=make_session_factory(engine),
            inbox_table=INBOX,
            handlers=dict(HANDLERS),
        )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
