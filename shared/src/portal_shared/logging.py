"""JSON logs to stdout, each line carrying the service name and the correlation id."""
from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from portal_shared.correlation import get_correlation_id


# Every attribute a LogRecord has of its own, and the two the formatter adds: an `extra` key among
# them makes Logger.makeRecord raise KeyError, which takes the logging process down with it.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
# A field whose name a LogRecord already uses is logged under this prefix instead.
RENAMED_FIELD_PREFIX = "field_"


def log_fields(values: Mapping[str, Any] | None = None, /, **more: Any) -> dict[str, Any]:
    """The `extra` of a log call: the fields to log beside the message.

    Every `extra=` in the portal is built here (a contract test checks the call sites), so a field
    can never collide with a LogRecord attribute: `process`, `name`, `module`, `message` and the
    like are logged as `field_process`, `field_name`, ..."""
    fields = {**(values or {}), **more}
    return {
        (RENAMED_FIELD_PREFIX + key if key in _RECORD_ATTRIBUTES else key): value
        for key, value in fields.items()
    }


class _ContextFilter(logging.Filter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = get_correlation_id()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pika logs every connection step at INFO; its warnings are what an operator needs.
    logging.getLogger("pika").setLevel(logging.WARNING)
