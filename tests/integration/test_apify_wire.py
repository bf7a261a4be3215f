"""The real apify-client, through ApifyScraper, against the local Apify stand-in over HTTP: each
supported actor returns sample items in its documented format, with its pricing, and the
stand-in refuses what the real API refuses."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from apify_client import ApifyClient

from shared.adapters.apify_scraper import ApifyScraper
from shared.errors import NotFound
from shared.ports import ScraperError
from tests.integration.apify_wire_helpers import (
    CREATORS,
    WebhookReceiver,
    by_owner,
    event_prices_in_force,
    finished,
    instagram_input,
    pricing_model,
    when,
)

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.integration.apify_wire_fixtures"]

INSTAGRAM_POST_FIELDS = {
    "id", "shortCode", "type", "caption", "hashtags", "mentions", "url", "commentsCount",
    "likesCount", "timestamp", "ownerUsername", "ownerId", "videoViewCount", "videoPlayCount",
    "isSponsored", "paidPartnership", "inputUrl",
}  # fmt: skip
TIKTOK_FIELDS = {
    "id", "text", "createTime", "createTimeISO", "authorMeta", "diggCount", "shareCount",
    "playCount", "commentCount", "hashtags", "mentions", "webVideoUrl", "isAd",
}  # fmt: skip
YOUTUBE_FIELDS = {
    "id", "title", "text", "url", "viewCount", "likes", "commentsCount", "date", "channelName",
    "channelUrl", "numberOfSubscribers", "hashtags",
}  # fmt: skip


def test_instagram_posts_come_back_for_every_username_in_the_documented_format(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    usernames = [*CREATORS["instagram"], "someone.new"]
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(usernames, resultsLimit=3), hook_url
    )
    assert started.status in {"READY", "RUNNING"}
    assert started.finished_at is None

    run, items = finished(scraper, receiver, started)

    assert run.status == "SUCCEEDED"
    assert run.started_at is not None
    grouped = by_owner(items, "inputUrl")
    assert sorted(grouped) == sorted(f"https://www.instagram.com/{u}/" for u in usernames)
    for input_url, posts in grouped.items():
        assert len(posts) == 3
        for post in posts:
            assert set(post) >= INSTAGRAM_POST_FIELDS
            assert post["type"] in {"Image", "Video", "Sidecar"}
            assert post["id"].isdigit()
            assert post["url"] == f"https://www.instagram.com/p/{post['shortCode']}/"
            assert post["ownerUsername"] == input_url.split("/")[-2]
            assert when(post["timestamp"]) <= run.started_at
        assert len({p["ownerId"] for p in posts}) == 1


def test_post_ids_are_stable_across_runs(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    run_input = instagram_input(["trail.anna", "someone.new"])
    first = finished(
        scraper, receiver, scraper.start_run("apify/instagram-scraper", run_input, hook_url)
    )
    again = finished(
        scraper, receiver, scraper.start_run("apify/instagram-scraper", run_input, hook_url)
    )
    assert [p["id"] for p in first[1]] == [p["id"] for p in again[1]]
    assert len({p["id"] for p in first[1]}) == len(first[1])


def test_instagram_profiles_carry_counts_and_latest_posts(
    scraper: ApifyScraper, client: ApifyClient, receiver: WebhookReceiver, hook_url: str
) -> None:
    usernames = CREATORS["instagram"]
    started = scraper.start_run(
        "apify/instagram-profile-scraper", {"usernames": usernames}, hook_url
    )
    run, profiles = finished(scraper, receiver, started)

    assert [p["username"] for p in profiles] == usernames
    for profile in profiles:
        assert isinstance(profile["followersCount"], int)
        assert isinstance(profile["followsCount"], int)
        assert isinstance(profile["postsCount"], int)
        assert {"fullName", "verified", "biography", "private"} <= set(profile)
        assert profile["latestPosts"]
        for post in profile["latestPosts"]:  # the creator's own, or a collab listing them
            coauthors = {c["username"] for c in post["coauthorProducers"]}
            assert profile["username"] in {post["ownerUsername"]} | coauthors
    assert pricing_model(client, run.run_id) == "PRICE_PER_DATASET_ITEM"


def test_tiktok_videos_and_pay_per_event_charges_come_through(
    scraper: ApifyScraper, client: ApifyClient, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "clockworks/tiktok-scraper",
        {"profiles": CREATORS["tiktok"], "resultsPerPage": 4},
        hook_url,
    )
    run, videos = finished(scraper, receiver, started)

    grouped = by_owner(videos, "authorMeta.name")
    assert sorted(grouped) == sorted(CREATORS["tiktok"])
    for username, own in grouped.items():
        assert len(own) == 4
        for video in own:
            assert set(video) >= TIKTOK_FIELDS
            assert video["webVideoUrl"] == f"https://www.tiktok.com/@{username}/video/{video['id']}"
            assert isinstance(video["authorMeta"]["fans"], int)
            assert all(set(tag) >= {"name"} for tag in video["hashtags"])
            assert when(video["createTimeISO"]).timestamp() == video["createTime"]

    prices = event_prices_in_force(client, "clockworks/tiktok-scraper")
    assert prices == {"actor-start": 0.005, "result": 0.004}  # the record in force, not the next
    assert pricing_model(client, run.run_id) == "PAY_PER_EVENT"
    assert run.charged_event_counts == {"actor-start": 1, "result": len(videos)}
    expected = prices["actor-start"] + prices["result"] * len(videos)
    assert run.usage_total_usd == pytest.approx(expected)


def test_youtube_videos_come_back_per_channel(
    scraper: ApifyScraper, client: ApifyClient, receiver: WebhookReceiver, hook_url: str
) -> None:
    start_urls = [{"url": f"https://www.youtube.com/@{h}"} for h in CREATORS["youtube"]]
    started = scraper.start_run(
        "streamers/youtube-scraper", {"startUrls": start_urls, "maxResults": 2}, hook_url
    )
    run, videos = finished(scraper, receiver, started)

    grouped = by_owner(videos, "channelUrl")
    assert sorted(grouped) == sorted(f"https://www.youtube.com/@{h}" for h in CREATORS["youtube"])
    for channel, own in grouped.items():
        assert len(own) == 2
        for video in own:
            assert set(video) >= YOUTUBE_FIELDS
            assert video["type"] == "video"  # Shorts and streams have limits of their own
            assert video.get("channelUsername", channel.split("@")[1]) == channel.split("@")[1]
            assert isinstance(video["numberOfSubscribers"], int)
            assert all(tag.startswith("#") for tag in video["hashtags"])
    assert pricing_model(client, run.run_id) is None
    assert run.usage_total_usd is not None
    assert run.usage_total_usd > 0


def test_runs_not_priced_per_event_report_usage_and_no_event_prices(
    scraper: ApifyScraper, client: ApifyClient, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["runwithmax"], resultsLimit=2), hook_url
    )
    run, _ = finished(scraper, receiver, started)

    assert pricing_model(client, run.run_id) == "PRICE_PER_DATASET_ITEM"
    assert run.charged_event_counts is None
    assert run.usage_total_usd is not None
    assert run.usage_total_usd > 0
    assert event_prices_in_force(client, "apify/instagram-scraper") == {}
    assert event_prices_in_force(client, "streamers/youtube-scraper") == {}


def test_hidden_likes_are_minus_one_in_the_raw_item(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(["trail.anna"]), hook_url
    )
    _, posts = finished(scraper, receiver, started)

    hidden = [p for p in posts if p["likesCount"] == -1]
    assert len(hidden) == 1
    assert hidden[0]["commentsCount"] > 0


DATE_FILTERED = {
    "apify/instagram-scraper": (
        instagram_input(CREATORS["instagram"], onlyPostsNewerThan="10 days"),
        "inputUrl",
        "timestamp",
    ),
    "clockworks/tiktok-scraper": (
        {"profiles": CREATORS["tiktok"], "oldestPostDateUnified": "10 days"},
        "authorMeta.name",
        "createTimeISO",
    ),
}


@pytest.mark.parametrize("actor", sorted(DATE_FILTERED))
def test_date_filter_lets_one_older_post_through(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str, actor: str
) -> None:
    run_input, owner, posted = DATE_FILTERED[actor]
    run, items = finished(scraper, receiver, scraper.start_run(actor, run_input, hook_url))
    assert run.started_at is not None
    cutoff = run.started_at - timedelta(days=10)

    for own in by_owner(items, owner).values():
        older = [i for i in own if when(i[posted]) < cutoff]
        assert len(older) == 1
        assert len(own) > 1


def test_sample_creators_mix_brand_posts_disclosures_and_paid_flags(
    scraper: ApifyScraper, receiver: WebhookReceiver, hook_url: str
) -> None:
    started = scraper.start_run(
        "apify/instagram-scraper", instagram_input(CREATORS["instagram"]), hook_url
    )
    _, posts = finished(scraper, receiver, started)

    for own in by_owner(posts, "inputUrl").values():
        brand = [p for p in own if "AcmeTrail" in p["hashtags"] and "acmeoutdoor" in p["mentions"]]
        disclosed = [p for p in own if {"ad", "anzeige", "werbung"} & set(p["hashtags"])]
        assert brand
        assert disclosed
        assert any(p["paidPartnership"] for p in own)
        assert any(not p["paidPartnership"] and not p["isSponsored"] for p in own)
        days = [when(p["timestamp"]) for p in own]
        assert max(days) - min(days) > timedelta(days=20)


def test_unknown_run_and_actor_are_not_found(scraper: ApifyScraper, client: ApifyClient) -> None:
    with pytest.raises(NotFound):
        scraper.get_run("NoSuchRun00000000")
    assert client.actor("nobody/no-such-actor").get() is None


def test_invalid_input_is_refused_with_apifys_error_body(
    scraper: ApifyScraper, hook_url: str
) -> None:
    with pytest.raises(ScraperError, match="directUrls") as refused:
        scraper.start_run("apify/instagram-scraper", {"resultsLimit": 3}, hook_url)
    assert refused.value.error_type == "invalid-input"
    assert refused.value.status == 400


def test_actor_may_be_named_url_encoded_on_the_acts_path(
    apify_url: str, control: httpx.Client
) -> None:
    answer = httpx.post(
        f"{apify_url}/v2/acts/apify%2Finstagram-scraper/runs",
        params={"token": "local", "waitForFinish": "5"},
        json={"directUrls": ["https://www.instagram.com/runwithmax/"]},
    )
    assert answer.status_code == 201
    assert answer.json()["data"]["status"] == "SUCCEEDED"
    anonymous = httpx.get(f"{apify_url}/v2/acts/apify~instagram-scraper")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["type"] == "token-not-provided"
