"""`python -m shared.localstack.anthropic --port 8093`: serve the stand-in on its own."""

from __future__ import annotations

import argparse
import logging

from werkzeug.serving import run_simple

from shared.localstack.anthropic import LocalAnthropicServer


def main() -> None:
    parser = argparse.ArgumentParser(description="A local stand-in for Anthropic's API.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--batch-delay", type=float, default=0.5, help="seconds a batch takes")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = LocalAnthropicServer(batch_delay_seconds=args.batch_delay)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
