"""payment-reconcile: every RECONCILE_INTERVAL_SECONDS, settle or expire payments left pending,
until SIGTERM/SIGINT (service_layer.reconcile.run_once is one pass)."""
from __future__ import annotations

import logging
import threading

from payment_service.config import Config
from payment_service.service_layer import reconcile
from payment_service.service_layer.wiring import build_context
from portal_shared.db import make_engine, make_session_factory
from portal_shared.logging import configure_logging, log_fields
from portal_shared.messaging import install_stop_signals

log = logging.getLogger("payment.reconcile")


def run_loop(context, interval_seconds: float, stop: threading.Event) -> None:
    """Passes until `stop` is set; a failed pass (database down) is logged and retried next interval."""
    while not stop.is_set():
        try:
            reconcile.run_once(context)
        except Exception:  # noqa: BLE001 - the job must outlive a database or bank outage
            log.exception("reconciliation pass failed")
        stop.wait(interval_seconds)


def main() -> None:
    config = Config()
    configure_logging(config.SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    stop = threading.Event()
    # The shared handler: setting the Event from inside a signal handler could deadlock.
    install_stop_signals(stop.set)
    log.info("reconciliation started", extra=log_fields({"interval_s": config.RECONCILE_INTERVAL_SECONDS}))
    try:
        run_loop(build_context(config.as_dict(), make_session_factory(engine)), config.RECONCILE_INTERVAL_SECONDS, stop)
    finally:
        engine.dispose()
        log.info("reconciliation stopped")


if __name__ == "__main__":
    main()
