"""servicedesk-relay: publishes what servicedesk-service wrote to its outbox, until SIGTERM/SIGINT."""
from __future__ import annotations

from portal_shared.service.entrypoints import relay_main
from servicedesk_service.adapters.orm import OUTBOX
from servicedesk_service.config import Config


def main() -> None:
    relay_main(Config(), OUTBOX)


if __name__ == "__main__":
    main()
