"""The Apify stand-in's rendering as plain functions: the growth curve, deterministic items,
post URLs that find the profile scrape's posts, and the date filter's known leak."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.localstack.apify import ACTORS, ActorSpec, World, render_items
from shared.localstack.apify.common import ApiError
from shared.localstack.apify.growth import GROWTH_DAYS, age_days, grown

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)
INSTAGRAM, INSTAGRAM_PROFILES, TIKTOK, YOUTUBE = ACTORS[:4]


def test_growth_reaches_the_sample_figure_at_the_sample_age_and_never_falls() -> None:
    assert grown(1000, 1.5, 1.5) == 1000
    ages = [0.0, 0.25, 0.5, 1.0, 1.5, 3.0, 10.0, 60.0]
    counts = [grown(1000, 1.5, age) for age in ages]
    assert counts == sorted(counts)
    assert counts[0] == 0
    assert counts[-1] == pytest.approx(1000 / (1 - 2.718281828 ** (-1.5 / GROWTH_DAYS)), abs=1)
    assert grown(-1, 1.5, 3.0) == -1  # a hidden count stays hidden


def test_ages_are_taken_at_the_top_of_the_clocks_hour() -> None:
    posted = NOW - timedelta(hours=12, minutes=20)
    assert age_days(posted, NOW + timedelta(minutes=59)) == pytest.approx((12 + 20 / 60) / 24)
    assert age_days(posted, NOW) == age_days(posted, NOW + timedelta(minutes=59))
    assert age_days(posted, NOW + timedelta(hours=1)) > age_days(posted, NOW)


def test_rendering_is_deterministic_and_dated_from_the_worlds_epoch() -> None:
    run_input = {"directUrls": ["https://www.instagram.com/trail.anna/"], "resultsLimit": 3}
    world = World(epoch=NOW)
    once = render_items(INSTAGRAM, run_input, NOW, world)
    again = render_items(INSTAGRAM, run_input, NOW, World(epoch=NOW))
    assert once == again
    later = render_items(INSTAGRAM, run_input, NOW + timedelta(hours=12), world)
    assert [p["timestamp"] for p in later] == [p["timestamp"] for p in once]
    newest = max(once, key=lambda p: p["timestamp"])
    assert next(p for p in later if p["id"] == newest["id"])["likesCount"] > newest["likesCount"]


def test_a_post_url_finds_the_post_of_an_account_scraped_before() -> None:
    world = World(epoch=NOW)
    (post,) = render_items(
        INSTAGRAM,
        {"directUrls": ["https://www.instagram.com/brand.new/"], "resultsLimit": 1},
        NOW,
        world,
    )
    url = {"directUrls": [post["url"]]}
    (found,) = render_items(INSTAGRAM, url, NOW, world)
    (lost,) = render_items(INSTAGRAM, url, NOW, World(epoch=NOW))  # an account it never saw
    assert found["id"] == post["id"]
    assert found["inputUrl"] == post["url"]
    assert lost["error"] == "not_found"


def test_the_date_filter_lets_one_older_post_through() -> None:
    run_input = {"profiles": ["alpine_lena"], "oldestPostDateUnified": "6 days"}
    videos = render_items(TIKTOK, run_input, NOW, World(epoch=NOW))
    cutoff = NOW - timedelta(days=6)
    older = [v for v in videos if datetime.fromisoformat(v["createTimeISO"]) < cutoff]
    assert len(older) == 1
    assert len(videos) > 1


def test_invalid_inputs_are_refused() -> None:
    cases: list[tuple[ActorSpec, dict[str, Any]]] = [
        (TIKTOK, {"resultsPerPage": 3}),
        (TIKTOK, {"postURLs": ["https://www.tiktok.com/@x/live"]}),
        (YOUTUBE, {"startUrls": ["https://www.youtube.com/results?search_query=x"]}),
        (INSTAGRAM_PROFILES, {"usernames": ["https://www.instagram.com/p/abc/"]}),
        (YOUTUBE, {"startUrls": ["https://www.youtube.com/@x"], "maxResultsShorts": -1}),
    ]
    for spec, run_input in cases:
        with pytest.raises(ApiError) as refused:
            render_items(spec, run_input, NOW)
        assert refused.value.type == "invalid-input"


def test_youtube_scrapes_every_video_but_no_shorts_or_streams_unless_asked() -> None:
    channel = {"startUrls": ["https://www.youtube.com/@trailanna"]}
    plain = render_items(YOUTUBE, channel, NOW)
    asked = render_items(YOUTUBE, {**channel, "maxResultsShorts": 5, "maxResultStreams": 5}, NOW)
    assert {v["type"] for v in plain} == {"video"}
    assert {v["type"] for v in asked} == {"video", "shorts", "stream"}
    assert [v for v in asked if v["type"] == "video"] == plain
