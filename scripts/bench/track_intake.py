"""Benchmark the public tracking intake against a bare functions-framework function.

Starts the Firestore emulator, registers one site, then serves two functions on loopback, each
in its own process (a threaded werkzeug server, as functions-framework's app): the real
`track_api` (site key lookup in Firestore, per-event checks, the duplicate query and the MERGE
into a DuckDB warehouse) and a bare function that answers 202 and does nothing. Both get the
same load in the same run: an open loop at --rate requests per second for --seconds (each a
one-event batch, what the snippet's beacon sends; p99 latency), then a closed loop of
--workers clients for --seconds (throughput). The last line printed is one JSON object:
    python scripts/bench/track_intake.py [--rate 200] [--seconds 10] [--workers 16]
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import flask
import functions_framework
import httpx
import numpy as np

from shared.localstack.emulators import (
    emulator_command,
    start_process,
    stop_process_group,
    wait_until_ready,
)
from shared.localstack.stack import LOCAL_PROJECT_ID, free_port

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://shop.example"
READY_SECONDS = 60
SITES = 8


@functions_framework.http
def bare(request: flask.Request) -> flask.Response:
    """The baseline: the framework and the server, no work."""
    body = '{"accepted": 1, "duplicates": 0, "rejected": []}'
    return flask.Response(body, status=202, mimetype="application/json")


def serve(target: str, port: int) -> None:
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    source = ROOT / "functions" / "main.py" if target == "track_api" else Path(__file__)
    app = functions_framework.create_app(target, str(source))  # type: ignore[no-untyped-call]
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def seed_sites(count: int) -> list[str]:
    from shared.auth import Principal, Role
    from shared.bootstrap import services
    from shared.brands.models import BrandCreate
    from shared.tracking.sites import SiteCreate

    app = services()
    org, key = app.orgs.create_org("Bench")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    brand = app.brands.create(owner, BrandCreate(name="Bench brand"))
    site = SiteCreate(name="Bench shop", brand_id=brand.brand_id, allowed_origins=[ORIGIN])
    return [app.sites.create(owner, site).site_key for _ in range(count)]


class Load:
    """One event per request, each with a new event_id (no duplicates: the common case), from
    many visitors (X-Forwarded-For, as the gateway passes it) to several sites, so the per-key
    and per-address limits are not what is measured."""

    def __init__(self, url: str, site_keys: list[str]) -> None:
        self._url = url
        self._keys = site_keys
        self._ids = itertools.count()
        self._local = threading.local()

    def one(self) -> tuple[float, int]:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = httpx.Client(timeout=30)
        n = next(self._ids)
        event = {
            "type": "page_view",
            "event_id": f"e{n}",
            "occurred_at": datetime.now(UTC).isoformat(),
            "url": "https://shop.example/?utm_source=ig&fbclid=AbC",
            "visitor_id": "v1",
        }
        headers = {
            "X-Site-Key": self._keys[n % len(self._keys)],
            "Origin": ORIGIN,
            "X-Forwarded-For": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
        }
        started = time.perf_counter()
        reply = client.post(self._url, json={"events": [event]}, headers=headers)
        return time.perf_counter() - started, reply.status_code

    def open_loop(self, rate: float, seconds: float) -> list[float]:
        """Requests sent on schedule whatever the replies do (no coordinated omission)."""
        total = int(rate * seconds)
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=64) as pool:
            futures = []
            for i in range(total):
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                futures.append(pool.submit(self.one))
            results = [f.result() for f in futures]
        bad = [status for _, status in results if status != 202]
        if bad:
            raise SystemExit(f"{len(bad)} replies were not 202 (e.g. {bad[0]})")
        return [latency for latency, _ in results]

    def closed_loop(self, workers: int, seconds: float) -> float:
        deadline = time.perf_counter() + seconds
        counts = [0] * workers

        def run(slot: int) -> None:
            while time.perf_counter() < deadline:
                self.one()
                counts[slot] += 1

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, range(workers)))
        return sum(counts) / seconds


def wait_for(url: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--serve", choices=["track_api", "bare"])
    parser.add_argument("--port", type=int)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        host_port = f"127.0.0.1:{free_port()}"
        log = Path(tmp) / "firestore.log"
        emulator = start_process(emulator_command("firestore", host_port, LOCAL_PROJECT_ID), log)
        servers: list[subprocess.Popen[bytes]] = []
        try:
            wait_until_ready(f"http://{host_port}/", emulator, READY_SECONDS, log)
            os.environ.update(
                FIRESTORE_EMULATOR_HOST=host_port,
                GOOGLE_CLOUD_PROJECT=LOCAL_PROJECT_ID,
                REACHOPS_DUCKDB_PATH=str(Path(tmp) / "warehouse.duckdb"),
            )
            site_keys = seed_sites(SITES)
            urls = {}
            for target in ("track_api", "bare"):
                port = free_port()
                command = [sys.executable, __file__, "--serve", target, "--port", str(port)]
                servers.append(
                    subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL)
                )
                urls[target] = f"http://127.0.0.1:{port}/v1/track/events"
                wait_for(urls[target])
            figures = {}
            for target, url in urls.items():
                load = Load(url, site_keys)
                load.closed_loop(4, 1)  # warm up: imports, clients, the DuckDB file
                latencies = np.array(load.open_loop(args.rate, args.seconds)) * 1000
                rps = load.closed_loop(args.workers, args.seconds)
                figures[target] = (rps, float(np.percentile(latencies, 99)))
                print(
                    f"{target}: p99 {figures[target][1]:.1f} ms at {args.rate:g} rps, "
                    f"{rps:.0f} rps with {args.workers} clients"
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
            stop_process_group(emulator)
    rps, p99 = figures["track_api"]
    baseline_rps = figures["bare"][0]
    result = {
        "benchmark": "track_intake",
        "rps": round(rps, 1),
        "p99_ms": round(p99, 2),
        "baseline_rps": round(baseline_rps, 1),
        "ratio": round(rps / baseline_rps, 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
