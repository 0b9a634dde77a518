"""billing-relay: publishes what billing-service wrote to its outbox, until SIGTERM/SIGINT."""
from __future__ import annotations

from billing_service.adapters.orm import OUTBOX
from billing_service.config import Config
from portal_shared.service.entrypoints import relay_main


def main() -> None:
    relay_main(Config(), OUTBOX)


if __name__ == "__main__":
    main()
