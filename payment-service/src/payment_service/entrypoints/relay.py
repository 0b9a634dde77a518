"""payment-relay (events to the broker) and payment-mailer (receipts to SMTP), both draining the outbox
until SIGTERM/SIGINT."""
from __future__ import annotations

from payment_service.adapters.orm import OUTBOX
from payment_service.config import Config
from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL
from portal_shared.service.entrypoints import relay_main


def main() -> None:
    relay_main(Config(), OUTBOX, channel=CHANNEL_EVENTS)


def mailer_main() -> None:
    relay_main(Config(), OUTBOX, channel=CHANNEL_MAIL)


if __name__ == "__main__":
    main()
