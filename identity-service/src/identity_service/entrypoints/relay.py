"""identity-relay (events to the broker) and identity-mailer (mail to SMTP), both draining the outbox."""
from __future__ import annotations

from portal_shared.db import make_engine
from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL

from identity_service.adapters.orm import outbox_table
from identity_service.config import SERVICE_NAME, Config


def _run(channel: str) -> None:
    # Imported late: only the relays need pika; run_relay configures the JSON logs itself.
    from portal_shared.messaging import run_relay

    config = Config()
    engine = make_engine(config.DATABASE_URL)
    try:
        run_relay(service=SERVICE_NAME, engine=engine, outbox_table=outbox_table, channel=channel)
    finally:
        engine.dispose()


def main() -> None:
    _run(CHANNEL_EVENTS)


def mailer_main() -> None:
    _run(CHANNEL_MAIL)


if __name__ == "__main__":
    main()
