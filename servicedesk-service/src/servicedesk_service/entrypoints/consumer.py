"""servicedesk-consumer: applies the events listed in service_layer/subscriptions.py, until SIGTERM/SIGINT."""
from __future__ import annotations

from portal_shared.service.entrypoints import consumer_main
from servicedesk_service.adapters.orm import INBOX
from servicedesk_service.config import Config
from servicedesk_service.service_layer.subscriptions import HANDLERS


def main() -> None:
    consumer_main(Config(), INBOX, HANDLERS)


if __name__ == "__main__":
    main()
