"""`python -m shared.localstack.apify --port 8091`: serve the stand-in on its own."""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import run_simple

from shared.localstack.apify import LocalApifyServer


def main() -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for the Apify API v2.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--run-delay", type=float, default=0.2, help="seconds a run takes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = LocalApifyServer(run_delay_seconds=args.run_delay)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
