"""billing-consumer: applies the events listed in service_layer/subscriptions.py, until SIGTERM/SIGINT."""
from __future__ import annotations

from billing_service.adapters.orm import INBOX
from billing_service.config import Config
from billing_service.service_layer.context import build_context
from billing_service.service_layer.subscriptions import handlers_for
from portal_shared.db import make_engine, make_session_factory


def main() -> None:
    # messaging (and with it pika) only in the processes that talk to the broker.
    from portal_shared import messaging

    config = Config()
    engine = make_engine(config.DATABASE_URL)
    try:
        # The handlers' context reads and writes through the session factory the inbox uses.
        ctx = build_context(config.as_dict(), make_session_factory(engine))
        # run_consumer sets up the process's logging itself.
        messaging.run_consumer(
            service=config.SERVICE_NAME,
            session_factory=ctx.session_factory,
            inbox_table=INBOX,
            handlers=handlers_for(ctx),
        )
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
