"""servicedesk-relay (events to the broker) and servicedesk-mailer (toner order mail to SMTP), both draining
the outbox until SIGTERM/SIGINT."""
from __future__ import annotations

from portal_shared.outbox import CHANNEL_EVENTS, CHANNEL_MAIL
from portal_shared.service.entrypoints import relay_main
from servicedesk_service.adapters.orm import OUTBOX
from servicedesk_service.config import Config


def main() -> None:
    relay_main(Config(), OUTBOX, channel=CHANNEL_EVENTS)


def mailer_main() -> None:
    relay_main(Config(), OUTBOX, channel=CHANNEL_MAIL)


if __name__ == "__main__":
    main()
