"""The Apify stand-in through the real apify-client, for what ReachOps' post refreshes and
cost accounting rely on: post URLs return the very posts a profile scrape returns, counts grow
with the clock (and only with it), missing and private accounts give the actors' error items,
the sample variants come through, YouTube's three limits are separate, and a run keeps the
pricing record it started under."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from apify_client import ApifyClient
from werkzeug.serving import make_server

from shared.localstack.apify import EVENT_PRICE_HISTORY, LocalApifyServer

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 21, 6, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def apify_url(clock: Clock) -> Iterator[str]:
    app = LocalApifyServer(run_delay_seconds=0.02, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.close()


@pytest.fixture
def control(apify_url: str, clock: Clock) -> Iterator[httpx.Client]:
    clock.now = START
    with httpx.Client(base_url=apify_url + "/_control", timeout=5) as http:
        http.post("/reset").raise_for_status()
        yield http


@pytest.fixture
def client(apify_url: str, control: httpx.Client) -> ApifyClient:
    return ApifyClient(token="local", api_url=apify_url, max_retries=0)


def scrape(client: ApifyClient, actor: str, run_input: dict[str, Any]) -> list[dict[str, Any]]:
    run = client.actor(actor).call(run_input=run_input, logger=None)
    assert run is not None
    assert run.status == "SUCCEEDED"
    return list(client.dataset(run.default_dataset_id).iterate_items())


def ig_profiles(*names: str, **extra: Any) -> dict[str, Any]:
    return {"directUrls": [f"https://www.instagram.com/{n}/" for n in names], **extra}


def by_key(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in items}


def test_instagram_post_urls_return_the_profile_scrapes_posts(client: ApifyClient) -> None:
    profile_posts = scrape(client, "apify/instagram-scraper", ig_profiles("trail.anna", "newbie"))
    urls = [
        f"https://www.instagram.com/{'reel' if p['productType'] == 'clips' else 'p'}/{code}/"
        for p in profile_posts
        if (code := p["shortCode"])
    ]
    refreshed = scrape(
        client,
        "apify/instagram-scraper",
        {"directUrls": [*urls, "https://www.instagram.com/runwithmax/"]},
    )

    by_code = by_key(refreshed[: len(urls)], "shortCode")
    for post, url in zip(profile_posts, urls, strict=True):
        again = by_code[post["shortCode"]]
        assert again["inputUrl"] == url
        assert {k: v for k, v in again.items() if k != "inputUrl"} == {
            k: v for k, v in post.items() if k != "inputUrl"
        }
    assert {p["ownerUsername"] for p in refreshed[len(urls) :]} >= {"runwithmax"}


def test_tiktok_and_youtube_post_urls_return_the_profile_scrapes_posts(
    client: ApifyClient,
) -> None:
    videos = scrape(client, "clockworks/tiktok-scraper", {"profiles": ["runwithmax", "newbie"]})
    again = scrape(
        client, "clockworks/tiktok-scraper", {"postURLs": [v["webVideoUrl"] for v in videos]}
    )
    for video, refreshed in zip(videos, again, strict=True):
        assert refreshed["id"] == video["id"]
        assert refreshed["submittedVideoUrl"] == video["webVideoUrl"]
        assert refreshed["diggCount"] == video["diggCount"]
        assert "input" not in refreshed

    limits = {"maxResults": 9, "maxResultsShorts": 9, "maxResultStreams": 9}
    channel = scrape(
        client,
        "streamers/youtube-scraper",
        {"startUrls": ["https://www.youtube.com/@trailanna"], **limits},
    )
    watch = scrape(
        client,
        "streamers/youtube-scraper",
        {
            "startUrls": [{"url": v["url"]} for v in channel]
            + [{"url": "https://www.youtube.com/@alpinelena"}],
            **limits,
        },
    )
    for video, refreshed in zip(channel, watch[: len(channel)], strict=True):
        assert (refreshed["id"], refreshed["url"], refreshed["type"]) == (
            video["id"],
            video["url"],
            video["type"],
        )
        assert refreshed["input"] == video["url"]
    assert any("/shorts/" in v["url"] for v in channel)
    assert {v["channelUrl"] for v in watch[len(channel) :]} == {
        "https://www.youtube.com/@alpinelena"
    }


def test_unknown_and_deleted_posts_give_not_found_items(
    client: ApifyClient, control: httpx.Client
) -> None:
    (post,) = scrape(client, "apify/instagram-scraper", ig_profiles("alpine_lena", resultsLimit=1))
    control.post("/profiles", json={"deleted": [post["shortCode"]]}).raise_for_status()
    gone, unknown = scrape(
        client,
        "apify/instagram-scraper",
        {"directUrls": [post["url"], "https://www.instagram.com/p/NoSuchPost1/"]},
    )
    for item in (gone, unknown):
        assert item["error"] == "not_found"
        assert item["errorDescription"] == "Post does not exist"
        assert "id" not in item
    (video,) = scrape(
        client,
        "clockworks/tiktok-scraper",
        {"postURLs": ["https://www.tiktok.com/@trail.anna/video/7000000000000000001"]},
    )
    assert video["error"]
    assert video["submittedVideoUrl"].endswith("7000000000000000001")


def test_counts_grow_with_the_clock_and_not_otherwise(client: ApifyClient, clock: Clock) -> None:
    run_input = {"profiles": ["runwithmax"]}
    first = scrape(client, "clockworks/tiktok-scraper", run_input)
    same_time = scrape(client, "clockworks/tiktok-scraper", run_input)
    clock.now = START + timedelta(hours=12)
    later = scrape(client, "clockworks/tiktok-scraper", run_input)

    assert same_time == first
    young = min(first, key=lambda v: v["createTime"] * -1)  # the newest post
    grown = by_key(later, "id")[young["id"]]
    for key in ("diggCount", "playCount", "commentCount", "shareCount"):
        assert grown[key] > young[key]
    for before in first:  # nothing shrinks, and dates do not move
        after = by_key(later, "id")[before["id"]]
        assert after["createTimeISO"] == before["createTimeISO"]
        assert after["playCount"] >= before["playCount"]


def test_missing_private_and_renamed_accounts(client: ApifyClient, control: httpx.Client) -> None:
    control.post(
        "/profiles",
        json={
            "missing": ["gone.creator"],
            "private": ["shy.creator"],
            "renamed": {"oldname": "trail.anna"},
        },
    ).raise_for_status()
    assert control.get("/profiles").json()["profiles"]["renamed"] == {"oldname": "trail.anna"}
    items = scrape(
        client,
        "apify/instagram-scraper",
        ig_profiles("gone.creator", "shy.creator", "missing_by_name", "oldname", resultsLimit=2),
    )
    gone, shy, by_name, *renamed = items
    for item in (gone, shy, by_name):
        assert item["error"] == "no_items"
        assert item["errorDescription"] == "Empty or private data for provided input"
    assert gone["inputUrl"] == "https://www.instagram.com/gone.creator/"
    assert [p["ownerUsername"] for p in renamed] == ["trail.anna", "trail.anna"]
    assert {p["inputUrl"] for p in renamed} == {"https://www.instagram.com/oldname/"}

    (shy_profile,) = scrape(  # a profile that does not exist yields no item
        client, "apify/instagram-profile-scraper", {"usernames": ["shy.creator", "gone.creator"]}
    )
    assert shy_profile["private"] is True
    assert isinstance(shy_profile["followersCount"], int)
    assert shy_profile["latestPosts"] == []
    tiktok = scrape(
        client, "clockworks/tiktok-scraper", {"profiles": ["gone.creator", "private_x"]}
    )
    youtube = scrape(
        client,
        "streamers/youtube-scraper",
        {"startUrls": ["https://www.youtube.com/@gone.creator"]},
    )
    assert tiktok == []  # these actors push nothing for a missing or private account
    assert youtube == []

    control.post("/reset").raise_for_status()
    assert control.get("/profiles").json()["profiles"]["missing"] == []


def test_instagram_variants_come_through(client: ApifyClient) -> None:
    names = ("trail.anna", "runwithmax", "alpine_lena", "someone.else")
    posts = scrape(client, "apify/instagram-scraper", ig_profiles(*names))
    for input_url in {p["inputUrl"] for p in posts}:
        own = [p for p in posts if p["inputUrl"] == input_url]
        creator = input_url.split("/")[-2]
        assert own[0]["isPinned"] is True  # listed first, though not the newest
        assert own[0]["timestamp"] < max(p["timestamp"] for p in own)
        collab = [p for p in own if p["ownerUsername"] != creator]
        assert collab
        assert [c["username"] for c in collab[0]["coauthorProducers"]] == [creator]
        carousel = next(p for p in own if p["type"] == "Sidecar" and p["childPosts"])
        assert all(child["id"] and child["shortCode"] for child in carousel["childPosts"])
        reel = next(p for p in own if p["productType"] == "clips")
        assert reel["videoPlayCount"] > reel["videoViewCount"] > 0
    flags = {(p["isSponsored"], p["paidPartnership"]) for p in posts}
    assert {(True, False), (False, True), (True, True), (False, False)} <= flags
    assert any(p["likesCount"] == -1 for p in posts)


def test_tiktok_variants_come_through(client: ApifyClient) -> None:
    videos = scrape(
        client, "clockworks/tiktok-scraper", {"profiles": ["trail.anna", "alpine_lena"]}
    )
    assert any(v["isSlideshow"] and v["slideshowImageLinks"] for v in videos)
    assert any(v["isPinned"] for v in videos)
    assert {(v["isAd"], v["isSponsored"]) for v in videos} >= {(True, False), (False, True)}
    assert {type(v["authorMeta"]["bioLink"]) for v in videos} == {str, type(None)}


def test_youtube_limits_are_separate_and_variants_come_through(client: ApifyClient) -> None:
    channels = [f"https://www.youtube.com/@{h}" for h in ("trailanna", "runwithmax")]

    def kinds(**limits: int) -> dict[str, dict[str, int]]:
        items = scrape(client, "streamers/youtube-scraper", {"startUrls": channels, **limits})
        out: dict[str, dict[str, int]] = {}
        for item in items:
            per = out.setdefault(item["channelUrl"], {})
            per[item["type"]] = per.get(item["type"], 0) + 1
        return out

    assert kinds(maxResults=2) == {c: {"video": 2} for c in channels}
    assert kinds(maxResults=1, maxResultsShorts=2, maxResultStreams=1) == {
        channels[0]: {"video": 1, "shorts": 2, "stream": 1},
        channels[1]: {"video": 1, "shorts": 2},  # runwithmax has no streams
    }
    assert kinds(maxResults=0, maxResultsShorts=1) == {c: {"shorts": 1} for c in channels}
    no_handle = scrape(
        client, "streamers/youtube-scraper", {"startUrls": [channels[1]], "maxResults": 1}
    )
    assert "channelUsername" not in no_handle[0]
    assert no_handle[0]["channelUrl"] == channels[1]


def test_a_run_keeps_the_pricing_record_it_started_under(client: ApifyClient, clock: Clock) -> None:
    (_, old_prices), (change_day, new_prices) = EVENT_PRICE_HISTORY
    before = client.actor("clockworks/tiktok-scraper").start(run_input={"profiles": ["runwithmax"]})
    clock.now = START + timedelta(days=change_day + 1)
    after = client.actor("clockworks/tiktok-scraper").call(
        run_input={"profiles": ["runwithmax"]}, logger=None
    )
    assert after is not None
    old = client.run(before.id).wait_for_finish()
    assert old is not None

    for run, prices in ((old, old_prices), (after, new_prices)):
        assert run.pricing_info is not None
        assert run.pricing_info.pricing_model == "PAY_PER_EVENT"
        events = run.pricing_info.pricing_per_event.actor_charge_events or {}
        assert {k: e.event_price_usd for k, e in events.items()} == prices
        assert run.charged_event_counts is not None
        expected = sum(prices[k] * n for k, n in run.charged_event_counts.items())
        assert run.usage_total_usd == pytest.approx(expected)
        assert run.usage_usd is None
    assert old.pricing_info is not None
    assert old.pricing_info.started_at < START < after.started_at


def test_pay_per_usage_runs_report_their_usage_breakdown(client: ApifyClient) -> None:
    run = client.actor("streamers/youtube-scraper").call(
        run_input={"startUrls": ["https://www.youtube.com/@trailanna"], "maxResults": 3},
        logger=None,
    )
    assert run is not None
    assert run.pricing_info is None
    assert run.usage is not None
    assert run.usage.dataset_writes == 3
    assert run.usage_usd is not None
    parts = (run.usage_usd.actor_compute_units or 0) + (run.usage_usd.dataset_writes or 0)
    assert run.usage_total_usd == pytest.approx(parts)


def test_faults_leave_the_figures_as_a_clean_run_leaves_them(
    apify_url: str, client: ApifyClient, control: httpx.Client, clock: Clock
) -> None:
    run_input = {"profiles": ["trail.anna"]}
    clean = scrape(client, "clockworks/tiktok-scraper", run_input)
    clock.now = START + timedelta(minutes=40)  # a retry later in the same hour of age
    patient = ApifyClient(
        token="local",
        api_url=apify_url,
        max_retries=3,
        min_delay_between_retries=timedelta(milliseconds=5),
    )
    control.post(
        "/faults", json={"rate_limit_next": 1, "server_error_next": 1, "fail_next_runs": 1}
    ).raise_for_status()
    failed = patient.actor("clockworks/tiktok-scraper").call(run_input=run_input, logger=None)
    assert failed is not None
    assert failed.status == "FAILED"
    control.post("/faults", json={"malformed_items_per_run": 2}).raise_for_status()
    retried = scrape(patient, "clockworks/tiktok-scraper", run_input)

    assert retried[: len(clean)] == clean
    assert len(retried) == len(clean) + 2
