"""payment-relay: publishes what payment-service wrote to its outbox, until SIGTERM/SIGINT."""
from __future__ import annotations

from payment_service.adapters.orm import OUTBOX
from payment_service.config import Config
from portal_shared.service.entrypoints import relay_main


def main() -> None:
    relay_main(Config(), OUTBOX)


if __name__ == "__main__":
    main()
