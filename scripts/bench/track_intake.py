"""Benchmark the public tracking intake against a bare functions-framework function.

Starts the Firestore emulator and registers several sites, then serves two functions on
loopback the way Cloud Run runs them: `functions-framework --target NAME` (gunicorn, one worker
of gthreads), each in its own process. One is the real `track_api` (site key check, rate
limits, per-event checks, the order claim of purchases, the append to the local warehouse);
the other a bare function that answers 202 and does nothing. Both get the same load in the
same run, from a load generator in a process of its own (asyncio and aiohttp, kept-alive
connections): after a warm-up, an open loop at --rate requests per second for --seconds, each
request sent at its scheduled time whatever the earlier replies do, its latency measured from
that time (no coordinated omission; p99); then --rounds closed loops of --workers connections
for --seconds each, the two functions taking turns, so a slow spell of the machine falls on
both (throughput: the median round). Each request is one beacon, a one-event batch, from many
visitors (their addresses as the gateway forwards them) on several sites: page views with UTM
and click ids, some add-to-carts and purchases. Every reply must be a 202. The last line is
one JSON object:
    python scripts/bench/track_intake.py [--rate 200] [--seconds 10] [--workers 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
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
TARGETS = ("track_api", "bare")
READY_SECONDS = 60
SITES = 16
VISITORS = 20_000
SOURCES = (
    "utm_source=instagram&utm_medium=creator&utm_campaign=spring&fbclid=IwAR{n}",
    "utm_source=facebook&utm_medium=paid_social&utm_campaign=sale&fbclid=IwZX{n}",
    "utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=Cj0K{n}",
    "utm_source=tiktok&utm_medium=paid&utm_campaign=launch&ttclid=E.C.P.{n}",
    "",
)


@functions_framework.http
def bare(request: flask.Request) -> flask.Response:
    """The baseline: the framework and the server, no work."""
    body = '{"accepted": 1, "duplicates": 0, "rejected": []}'
    return flask.Response(body, status=202, mimetype="application/json")


def beacon(n: int, site_keys: list[str]) -> tuple[bytes, dict[str, str]]:
    """The n-th request: one event, as the snippet sends it. Visitors, sessions and sites vary
    with n by fixed arithmetic (no randomness): 1 in 10 events is an add-to-cart, 1 in 50 a
    purchase of its own order."""
    visitor = n * 7919 % VISITORS
    event: dict[str, Any] = {
        "event_id": f"ev-{n}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "visitor_id": f"v-{visitor}",
        "session_id": f"s-{visitor}-{n // 500}",
        "url": f"https://shop.example/p/{n % 300}?{SOURCES[visitor % len(SOURCES)].format(n=n)}",
        "referrer": "https://www.instagram.com/",
    }
    if n % 50 == 49:
        event |= {"type": "purchase", "order_id": f"o-{n}", "value": "49.90", "currency": "EUR"}
    elif n % 10 == 9:
        event |= {"type": "add_to_cart", "value": "19.90", "currency": "EUR"}
    else:
        event["type"] = "page_view"
    headers = {
        "Content-Type": "text/plain;charset=UTF-8",
        "X-Site-Key": site_keys[visitor % len(site_keys)],
        "Origin": ORIGIN,
        "X-Forwarded-For": f"10.{visitor >> 16 & 255}.{visitor >> 8 & 255}.{visitor & 255}",
    }
    return json.dumps({"events": [event]}).encode(), headers


class Load:
    """The load generator's side: requests numbered from `first`, so the two functions get
    the same sequence of beacons and no event id is sent twice to one of them."""

    def __init__(self, url: str, site_keys: list[str], first: int) -> None:
        self._url = url
        self._keys = site_keys
        self._next = first
        self.statuses: dict[int, int] = {}

    async def _send(self, session: aiohttp.ClientSession) -> None:
        n, self._next = self._next, self._next + 1
        body, headers = beacon(n, self._keys)
        async with session.post(self._url, data=body, headers=headers) as reply:
            await reply.read()
            self.statuses[reply.status] = self.statuses.get(reply.status, 0) + 1

    @staticmethod
    def _session(connections: int) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=connections)
        timeout = aiohttp.ClientTimeout(total=30)
        return aiohttp.ClientSession(connector=connector, timeout=timeout)

    async def open_loop(self, rate: float, seconds: float) -> list[float]:
        """Latency of each request from the moment it was due to be sent."""
        latencies: list[float] = []

        async def one(session: aiohttp.ClientSession, due: float) -> None:
            await self._send(session)
            latencies.append(time.perf_counter() - due)

        async with self._session(256) as session:
            tasks = []
            start = time.perf_counter() + 0.05
            for i in range(int(rate * seconds)):
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(one(session, due)))
            await asyncio.gather(*tasks)
        return latencies

    async def closed_loop(self, workers: int, seconds: float) -> float:
        """Requests per second with `workers` requests always in flight."""
        done = 0

        async def worker(session: aiohttp.ClientSession, deadline: float) -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                await self._send(session)
                done += 1

        async with self._session(workers) as session:
            started = time.perf_counter()
            deadline = started + seconds
            await asyncio.gather(*(worker(session, deadline) for _ in range(workers)))
            return done / (time.perf_counter() - started)


def generate(plan: dict[str, Any]) -> dict[str, Any]:
    """One phase of one function's measurement (the load generator process): a warm-up and
    the open loop, or one closed loop."""
    load = Load(plan["url"], plan["site_keys"], plan["first"])
    figures: dict[str, Any] = {}
    if plan["phase"] == "open":
        asyncio.run(load.closed_loop(4, 2))
        latencies = np.array(asyncio.run(load.open_loop(plan["rate"], plan["seconds"]))) * 1000
        figures = {
            "p50_ms": float(np.percentile(latencies, 50)),
            "p99_ms": float(np.percentile(latencies, 99)),
        }
    else:
        figures["rps"] = asyncio.run(load.closed_loop(plan["workers"], plan["seconds"]))
    return figures | {"statuses": load.statuses}


def wait_for(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {server.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


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


def serve(target: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`functions-framework --target` as Cloud Run starts it (gunicorn, not the dev server)."""
    source = ROOT / "functions" / "main.py" if target == "track_api" else Path(__file__)
    command = [sys.executable, "-m", "functions_framework", "--target", target]
    command += ["--source", str(source), "--host", "127.0.0.1", "--port", str(port)]
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions")])}
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def measure(plan: dict[str, Any]) -> dict[str, Any]:
    """Run the load generator in a process of its own, so it shares no interpreter (GIL)
    with this one."""
    command = [sys.executable, __file__, "--generate"]
    done = subprocess.run(
        command, input=json.dumps(plan), capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"the load generator failed: {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = {int(status): count for status, count in figures["statuses"].items()}
    if set(statuses) != {202}:
        raise SystemExit(f"replies other than 202 from {plan['url']}: {statuses}")
    return figures


def run_phases(
    args: argparse.Namespace, urls: dict[str, str], site_keys: list[str]
) -> dict[str, dict[str, Any]]:
    """Each function's open loop, then the closed-loop rounds taking turns. Every phase's
    events are numbered from its own block, so no event id is sent twice to a function."""
    plans = [(target, "open") for target in TARGETS]
    plans += [(target, "closed") for _ in range(args.rounds) for target in TARGETS]
    figures: dict[str, dict[str, Any]] = {target: {"rounds": []} for target in TARGETS}
    for block, (target, phase) in enumerate(plans):
        plan = {
            "url": urls[target],
            "site_keys": site_keys,
            "first": block * 10_000_000,
            "phase": phase,
            "rate": args.rate,
            "seconds": args.seconds,
            "workers": args.workers,
        }
        measured = measure(plan)
        if phase == "open":
            figures[target] |= measured
        else:
            figures[target]["rounds"].append(measured["rps"])
    for target, found in figures.items():
        found["rps"] = float(np.median(found["rounds"]))
        rounds = ", ".join(f"{r:.0f}" for r in found["rounds"])
        print(
            f"{target}: p99 {found['p99_ms']:.1f} ms (p50 {found['p50_ms']:.1f} ms) at "
            f"{args.rate:g} rps; {found['rps']:.0f} rps with {args.workers} connections "
            f"(median of rounds {rounds})"
        )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--generate", action="store_true", help="(the load generator process)")
    args = parser.parse_args()
    if args.generate:
        print(json.dumps(generate(json.loads(sys.stdin.read()))))
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
            for target in TARGETS:
                port = free_port()
                servers.append(serve(target, port, Path(tmp) / f"{target}.log"))
                urls[target] = f"http://127.0.0.1:{port}/v1/track/events"
                wait_for(urls[target], servers[-1])
            figures = run_phases(args, urls, site_keys)
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
            stop_process_group(emulator)
    rps, baseline_rps = figures["track_api"]["rps"], figures["bare"]["rps"]
    result = {
        "benchmark": "track_intake",
        "rps": round(rps, 1),
        "p99_ms": round(figures["track_api"]["p99_ms"], 2),
        "baseline_rps": round(baseline_rps, 1),
        "ratio": round(rps / baseline_rps, 3),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
