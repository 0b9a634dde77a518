"""`bank-simulator citibanamex --port 8101` / `bank-simulator bbva --port 8102`: serve one bank until SIGTERM/SIGINT."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from werkzeug.serving import make_server

from bank_simulator import create_app
from bank_simulator.banks import PROFILES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bank-simulator", description="Serve a simulated bank.")
    parser.add_argument("bank", choices=sorted(PROFILES))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=None, help="default 8101 (citibanamex) or 8102 (bbva), or PORT")
    parser.add_argument("--database", default=None, help='SQLite file, or ":memory:" (default under VAR_DIR)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(levelname)s %(message)s")

    port = args.port or int(os.environ.get("PORT") or PROFILES[args.bank].default_port)
    overrides = {"DATABASE": args.database} if args.database else {}
    server = make_server(args.host, port, create_app(args.bank, overrides), threaded=True)

    def stop(*_):
        # shutdown() waits for serve_forever to return, so it must run off the signal-handling thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("bank_simulator").info("%s simulator on http://%s:%s", args.bank, args.host, port)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
