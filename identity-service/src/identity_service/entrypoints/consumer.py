"""identity-consumer: tells people what the events in service_layer/subscriptions.py announce, by
mail through the outbox, until SIGTERM/SIGINT."""
from __future__ import annotations

from portal_shared.service.entrypoints import consumer_main

from identity_service.adapters.orm import INBOX
from identity_service.config import Config
from identity_service.service_layer.notifications import Notifier
from identity_service.service_layer.subscriptions import handlers_for


def main() -> None:
    config = Config()
    notifier = Notifier(portal_base_url=config.PORTAL_BASE_URL, time_zone=config.MAIL_TIME_ZONE)
    consumer_main(config, INBOX, handlers_for(notifier))


if __name__ == "__main__":
    main()
