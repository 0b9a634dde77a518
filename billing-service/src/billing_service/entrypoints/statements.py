"""billing-statements --period YYYY-MM: generate a month's statements of account (e.g. from cron)."""
from __future__ import annotations

import argparse
import json
import sys

from billing_service.config import Config
from billing_service.domain.calendar import Period
from billing_service.service_layer.context import build_context
from billing_service.service_layer.statements import generate_statements
from portal_shared.db import make_engine, make_session_factory
from portal_shared.errors import UseCaseError
from portal_shared.logging import configure_logging


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="billing-statements", description=__doc__)
    parser.add_argument("--period", required=True, type=_period, help="the month, YYYY-MM")
    args = parser.parse_args(argv)
    config = Config()
    configure_logging(config.SERVICE_NAME, config.LOG_LEVEL)
    engine = make_engine(config.DATABASE_URL)
    try:
        result = generate_statements(build_context(config.as_dict(), make_session_factory(engine)), args.period)
    except UseCaseError as exc:
        # A month not yet over, or another generation of it running: said, not a traceback.
        print(f"billing-statements: {_reason(exc)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(json.dumps({"period": result.period, "generated": result.generated, "existing": result.existing}))
    return 0


def _reason(refusal: UseCaseError) -> str:
    """The refusal as a person reads it: the field's message where there is one."""
    messages = [message for field in (refusal.errors or {}).values() for message in field]
    return " ".join(messages) or str(refusal)


if __name__ == "__main__":
    sys.exit(main())
