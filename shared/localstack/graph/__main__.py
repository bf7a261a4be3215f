"""`python -m shared.localstack.graph --port 8092`: serve the stand-in on its own."""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import run_simple

from shared.localstack.graph import LocalGraphApi


def main() -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for the Meta Graph API.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--app-id", help="the only client_id accepted (default: any)")
    parser.add_argument("--app-secret", help="the only client_secret accepted (default: any)")
    parser.add_argument("--polls-to-complete", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = LocalGraphApi(
        app_id=args.app_id, app_secret=args.app_secret, polls_to_complete=args.polls_to_complete
    )
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
