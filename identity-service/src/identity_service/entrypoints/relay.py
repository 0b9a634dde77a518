"""identity-relay (events to the broker) and identity-mailer (mail to SMTP), both draining the outbox."""
from __future__ import annotations

from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL
from portal_shared.service.entrypoints import relay_main

from identity_service.adapters.orm import outbox_table
from identity_service.config import Config


def main() -> None:
    relay_main(Config(), outbox_table, channel=CHANNEL_EVENTS)


def mailer_main() -> None:
    relay_main(Config(), outbox_table, channel=CHANNEL_MAIL)


if __name__ == "__main__":
    main()
