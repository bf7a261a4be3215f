"""Benchmark: Apify actor runs for a day of 12-hourly monitoring of 500 creators.

ReachOps batches many usernames of one platform into one actor run; the baseline is one run
per profile per scrape (a posts scrape and a profile scrape for each creator, every 12 hours).
Both are measured on the same generated data in this one process: the batched plan runs
through the real apify-client against the local Apify server, and every creator's posts are
checked against what a run for that creator alone returns (after ReachOps' own date filter),
so a post lost by batching would be counted.

Usage: python scripts/bench/scrape_cost.py. The last line is one JSON object.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from apify_client import ApifyClient
from werkzeug.serving import make_server

from shared.adapters.apify_scraper import ApifyScraper
from shared.campaigns.models import Platform
from shared.localstack.apify_server import ACTORS as LOCAL_ACTORS
from shared.localstack.apify_server import LocalApifyServer, render_items
from shared.scraping.actors import ScrapeKind, actor_for, run_input
from shared.scraping.parsing import parse_items
from shared.scraping.planning import MonitoredProfile, PlannedJob, plan_jobs

CREATORS = {Platform.INSTAGRAM: 250, Platform.TIKTOK: 150, Platform.YOUTUBE: 100}
CYCLES = 2
CYCLE = timedelta(hours=12)
START = datetime(2026, 11, 21, 6, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _accept(environ: object, start_response: Callable[..., object]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@contextmanager
def webhook_receiver() -> Iterator[str]:
    """Where the runs report back (the ingest is not what this benchmark measures)."""
    server = make_server("127.0.0.1", 0, _accept, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


@contextmanager
def local_apify(clock: Clock) -> Iterator[tuple[ApifyScraper, LocalApifyServer]]:
    app = LocalApifyServer(run_delay_seconds=0.01, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = "bench"  # noqa: S105 - the local stand-in accepts any token
    client = ApifyClient(token=token, api_url=f"http://127.0.0.1:{server.server_port}")
    try:
        yield ApifyScraper(client), app
    finally:
        server.shutdown()


def monitored() -> list[MonitoredProfile]:
    return [
        MonitoredProfile(f"{platform.value}-{i}", platform, f"creator{i:04d}", None)
        for platform, count in CREATORS.items()
        for i in range(count)
    ]


def kept(
    platform: Platform, kind: ScrapeKind, items: Sequence[object], since: date | None
) -> set[str]:
    """The posts ReachOps keeps from a dataset: parsed, then filtered by date again."""
    parsed = parse_items(actor_for(platform, kind).actor_id, items)
    return {
        f"{p.username}/{p.platform_post_id}"
        for p in parsed.posts
        if not (since and p.posted_at and p.posted_at.date() < since)
    }


def run_batched(scraper: ApifyScraper, job: PlannedJob, webhook: str) -> set[str]:
    spec = actor_for(job.platform, job.kind)
    usernames = [t.username for t in job.targets]
    run = scraper.start_run(spec.actor_id, run_input(spec, usernames, job.since), webhook)
    while (run := scraper.get_run(run.run_id)).status not in ("SUCCEEDED", "FAILED", "TIMED-OUT"):
        time.sleep(0.005)
    items = list(scraper.dataset_items(run.dataset_id or ""))
    return kept(job.platform, job.kind, items, job.since)


def one_profile_alone(profile: MonitoredProfile, now: datetime) -> set[str]:
    """What a run for this creator alone would return (the baseline's data)."""
    spec = actor_for(profile.platform, ScrapeKind.POSTS)
    local = next(a for a in LOCAL_ACTORS if f"{a.username}/{a.name}" == spec.actor_id)
    items = render_items(local, run_input(spec, [profile.username], profile.since), now)
    return kept(profile.platform, ScrapeKind.POSTS, items, profile.since)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock = Clock()
    profiles = monitored()
    runs = 0
    lost = 0
    collected = 0
    started = time.perf_counter()
    with local_apify(clock) as (scraper, _), webhook_receiver() as webhook:
        for cycle in range(CYCLES):
            jobs = plan_jobs("bench-org", profiles, clock.now)
            got: set[str] = set()
            for job in jobs:
                runs += 1
                if job.kind is ScrapeKind.POSTS:
                    got |= run_batched(scraper, job, webhook)
            expected = set().union(*(one_profile_alone(p, clock.now) for p in profiles))
            lost += len(expected - got)
            collected += len(got)
            print(
                f"cycle {cycle + 1}: {len(jobs)} runs, {len(got)} posts kept, "
                f"{len(expected - got)} missing versus one run per profile"
            )
            profiles = [
                MonitoredProfile(p.creator_id, p.platform, p.username, clock.now.date())
                for p in profiles
            ]
            clock.now += CYCLE
    baseline = len(profiles) * len(ScrapeKind) * CYCLES
    ratio = baseline / runs
    print(
        f"{len(profiles)} creators, {CYCLES} monitoring cycles: {runs} actor runs "
        f"(baseline {baseline}, {ratio:.1f}x fewer), {collected} posts, {lost} lost, "
        f"{time.perf_counter() - started:.1f}s"
    )
    print(
        json.dumps(
            {
                "benchmark": "scrape_cost",
                "runs": runs,
                "baseline_runs": baseline,
                "ratio": round(ratio, 1),
                "posts_lost": lost,
            }
        )
    )


if __name__ == "__main__":
    main()
