"""payment-consumer: applies the events listed in service_layer/subscriptions.py, until SIGTERM/SIGINT."""
from __future__ import annotations

from payment_service.adapters.orm import INBOX
from payment_service.config import Config
from payment_service.service_layer.subscriptions import HANDLERS
from portal_shared.service.entrypoints import consumer_main


def main() -> None:
    consumer_main(Config(), INBOX, HANDLERS)


if __name__ == "__main__":
    main()
