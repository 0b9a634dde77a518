"""`pac-simulator --port 8201`: serve the simulated PAC until SIGTERM/SIGINT."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from werkzeug.serving import make_server

from pac_simulator import create_app

DEFAULT_PORT = 8201


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pac-simulator", description="Serve a simulated PAC (CFDI 4.0 stamping).")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=None, help=f"default PORT or {DEFAULT_PORT}")
    parser.add_argument("--database", default=None, help='SQLite file, or ":memory:" (default under VAR_DIR)')
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(name)s %(levelname)s %(message)s")

    port = args.port or int(os.environ.get("PORT") or DEFAULT_PORT)
    overrides = {"DATABASE": args.database} if args.database else {}
    server = make_server(args.host, port, create_app(overrides), threaded=True)

    def stop(*_):
        # shutdown() waits for serve_forever to return, so it must run off the signal-handling thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger("pac_simulator").info("PAC simulator on http://%s:%s", args.host, port)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
