"""Benchmark: Apify actor runs for a 30-day flight of 12-hourly monitoring of 500 creators,
with every campaign post re-measured on each pass.

ReachOps batches many usernames (and, for a refresh, many post URLs) of one platform into one
actor run. The baseline is one run per profile per scrape (a posts scrape and a profile scrape
for each creator, every 12 hours) plus one run per post per refresh. Both are measured on the
same generated data in this one process: the batched plan (`plan_jobs`, with the refresh
windows of `refresh_until`) runs through the real apify-client against the local Apify server,
and its datasets are read by the real item parser. Each pass checks:
- posts lost: a post a run for that creator alone returns (after ReachOps' own date filter),
  or an open campaign post, that the batched runs did not return;
- fresh_share: of the campaign posts live after the pass (published, refresh window open),
  the share whose latest snapshot is under 13 hours old.

The stand-in dates its sample posts back from its epoch, so the server starts at the flight's
end and its creators' posts fall inside the flight; an item dated after the simulated moment
has not been published yet and is ignored. One post in three is a campaign post (by a hash of
its key), so each creator publishes several over the flight.

Usage: python scripts/bench/scrape_cost.py. The last line is one JSON object.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from apify_client import ApifyClient
from werkzeug.serving import make_server

from shared.adapters.apify_items import parse_results
from shared.adapters.apify_scraper import ApifyScraper
from shared.campaigns.models import Platform
from shared.localstack.apify import ACTORS as LOCAL_ACTORS
from shared.localstack.apify import LocalApifyServer, World, render_items
from shared.ports import RequestedProfile
from shared.scraping.actors import ScrapeKind, actor_for, run_input
from shared.scraping.planning import (
    DEFAULT_REFRESH_DAYS,
    MonitoredProfile,
    PlannedJob,
    RefreshPost,
    plan_jobs,
    refresh_until,
)
from shared.scraping.results import ScrapedPost, ScrapeResults

CREATORS = {Platform.INSTAGRAM: 250, Platform.TIKTOK: 150, Platform.YOUTUBE: 100}
FLIGHT_DAYS = 30
CYCLE = timedelta(hours=12)
START = datetime(2026, 11, 1, 6, tzinfo=UTC)
END_DATE = (START + timedelta(days=FLIGHT_DAYS - 1)).date()
FRESH = timedelta(hours=13)
ORG = "bench-org"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Flight:
    """What the simulated ReachOps knows: each profile's "newer than" date, every campaign
    post it has seen, and when each post was last measured."""

    since: dict[tuple[Platform, str], date]
    campaign_posts: dict[str, RefreshPost] = field(default_factory=dict)
    posted_at: dict[str, datetime] = field(default_factory=dict)
    measured_at: dict[str, datetime] = field(default_factory=dict)


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
def local_apify(clock: Clock) -> Iterator[tuple[ApifyScraper, World]]:
    app = LocalApifyServer(run_delay_seconds=0.005, clock=clock)
    app.world = World(epoch=datetime.combine(END_DATE, datetime.max.time(), UTC))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = "bench"  # noqa: S105 - the local stand-in accepts any token
    client = ApifyClient(token=token, api_url=f"http://127.0.0.1:{server.server_port}")
    try:
        yield ApifyScraper(client), app.world
    finally:
        server.shutdown()


def key_of(post: ScrapedPost) -> str:
    return f"{post.platform.value}__{post.platform_post_id}"


def is_campaign_post(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0


def published(posts: Iterable[ScrapedPost], now: datetime, since: date | None) -> list[ScrapedPost]:
    """Posts that exist at `now`, filtered by ReachOps' own date filter."""
    return [
        p
        for p in posts
        if p.posted_at is not None
        and p.posted_at <= now
        and not (since and p.posted_at.date() < since)
    ]


def run_batched(scraper: ApifyScraper, job: PlannedJob, webhook: str) -> ScrapeResults:
    spec = actor_for(job.platform, job.kind)
    urls = [t.post_url for t in job.targets if t.post_url]
    usernames = [t.username for t in job.targets]
    body = run_input(spec, usernames, job.since, urls)
    run = scraper.start_run(spec.actor_id, body, webhook)
    while (run := scraper.get_run(run.run_id)).status not in ("SUCCEEDED", "FAILED", "TIMED-OUT"):
        time.sleep(0.002)
    requested = [RequestedProfile(t.username, t.post_url) for t in job.targets]
    return scraper.results(run.dataset_id or "", spec.actor_id, requested)


def one_profile_alone(profile: MonitoredProfile, world: World, now: datetime) -> set[str]:
    """What a run for this creator alone would return (the baseline's data)."""
    spec = actor_for(profile.platform, ScrapeKind.POSTS)
    local = next(a for a in LOCAL_ACTORS if f"{a.username}/{a.name}" == spec.actor_id)
    items = render_items(local, run_input(spec, [profile.username], profile.since), now, world)
    parsed = parse_results(spec.actor_id, items, [RequestedProfile(profile.username)])
    return {key_of(p) for p in published(parsed.posts, now, profile.since)}


def record_posts(
    flight: Flight, job: PlannedJob, results: ScrapeResults, now: datetime
) -> set[str]:
    """What the ingest keeps of a posts run; a profile it returned moves its date on."""
    got = set()
    creator = {t.username.lower(): t.creator_id for t in job.targets}
    for post in published(results.posts, now, job.since):
        key = key_of(post)
        got.add(key)
        flight.measured_at[key] = now
        flight.posted_at[key] = post.posted_at or now
        if is_campaign_post(key) and key not in flight.campaign_posts and post.url:
            until = refresh_until(post.posted_at, END_DATE, "UTC", DEFAULT_REFRESH_DAYS)
            flight.campaign_posts[key] = RefreshPost(
                creator[post.username], job.platform, post.username, key, post.url, until or now
            )
    for target in job.targets:
        if target.username.lower() in results.returned:
            flight.since[(job.platform, target.username)] = now.date()
    return got


def fresh_share_now(flight: Flight, now: datetime) -> tuple[int, int]:
    live = [k for k, p in flight.campaign_posts.items() if p.until > now]
    fresh = [k for k in live if now - flight.measured_at[k] < FRESH]
    return len(fresh), len(live)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    clock = Clock(START)
    profiles = [
        (f"{platform.value}-{i}", platform, f"creator{i:04d}")
        for platform, count in CREATORS.items()
        for i in range(count)
    ]
    flight = Flight(since={(p, u): START.date() for _, p, u in profiles})
    runs = baseline = lost = refreshed = fresh = live = 0
    started = time.perf_counter()
    with local_apify(clock) as (scraper, world), webhook_receiver() as webhook:
        for cycle in range(FLIGHT_DAYS * 2):
            monitored = [MonitoredProfile(c, p, u, flight.since[(p, u)]) for c, p, u in profiles]
            refresh = list(flight.campaign_posts.values())
            jobs = plan_jobs(ORG, monitored, clock.now, refresh)
            expected = set().union(*(one_profile_alone(m, world, clock.now) for m in monitored))
            got: set[str] = set()
            for job in jobs:
                results = run_batched(scraper, job, webhook)
                if job.kind is ScrapeKind.POSTS:
                    got |= record_posts(flight, job, results, clock.now)
                elif job.kind is ScrapeKind.POST_REFRESH:
                    back = {key_of(p) for p in results.posts}
                    asked = {t.post_key for t in job.targets if t.post_key}
                    lost += len(asked - back)
                    refreshed += len(asked)
                    baseline += len(asked)  # one run per post per refresh
                    for key in asked & back:
                        flight.measured_at[key] = clock.now
            runs += len(jobs)
            baseline += len(monitored) * 2  # a posts run and a profile run per creator
            lost += len(expected - got)
            pass_fresh, pass_live = fresh_share_now(flight, clock.now)
            fresh, live = fresh + pass_fresh, live + pass_live
            if cycle % 10 == 9:
                print(
                    f"pass {cycle + 1}: {len(jobs)} runs, {len(flight.campaign_posts)} campaign "
                    f"posts, {pass_live} live, {pass_fresh} fresh"
                )
            clock.now += CYCLE
    ratio = baseline / runs
    fresh_share = fresh / live if live else 0.0
    print(
        f"{len(profiles)} creators, {FLIGHT_DAYS * 2} passes over a {FLIGHT_DAYS}-day flight: "
        f"{runs} actor runs (baseline {baseline}, {ratio:.1f}x fewer), {refreshed} post "
        f"refreshes, {lost} posts lost, fresh share {fresh_share:.4f}, "
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
                "fresh_share": round(fresh_share, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
