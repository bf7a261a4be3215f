"""The Apify stand-in's comments runs: both actors answer in their documented item formats,
with the same labelled sample comments (same ids) for a post on every run, at most the run's
per-post bound of each post, and the actor's error item for a post it cannot find; and what
they render parses back, through the adapter, into the comments the run asked for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.adapters.apify_comments import parse_comments
from shared.localstack.apify import World, render_items
from shared.localstack.apify.actors import find_actor
from shared.localstack.apify.catalog import post_key, sample_creators
from shared.localstack.apify.comments import SAMPLE_COMMENTS
from shared.localstack.apify.common import ApiError
from shared.ports import RequestedProfile

NOW = datetime(2026, 11, 20, tzinfo=UTC)
INSTAGRAM = find_actor("apify/instagram-scraper")
TIKTOK = find_actor("clockworks/tiktok-comments-scraper")


def instagram_url(index: int = 0) -> str:
    account = sample_creators(INSTAGRAM)[0]
    return f"https://www.instagram.com/p/{post_key('instagram', account, index)}/"


def tiktok_url() -> str:
    account = sample_creators(find_actor("clockworks/tiktok-scraper"))[0]
    return f"https://www.tiktok.com/@{account}/video/{post_key('tiktok', account, 0)}"


def test_instagram_comments_respect_the_bound_and_name_their_post() -> None:
    run_input = {"directUrls": [instagram_url()], "resultsType": "comments", "resultsLimit": 3}
    items = render_items(INSTAGRAM, run_input, NOW, World(NOW))
    assert [item["text"] for item in items] == [text for _, text, _ in SAMPLE_COMMENTS[:3]]
    assert {item["postUrl"] for item in items} == {instagram_url()}
    again = render_items(INSTAGRAM, run_input, NOW, World(NOW))
    assert [i["id"] for i in again] == [i["id"] for i in items]


def test_every_sample_label_is_served_and_an_unknown_post_gets_the_error_item() -> None:
    gone = "https://www.tiktok.com/@nobody/video/7000000000000000001"
    items = render_items(TIKTOK, {"postURLs": [tiktok_url(), gone]}, NOW, World(NOW))
    comments = [item for item in items if "cid" in item]
    assert len(comments) == len(SAMPLE_COMMENTS)
    assert {label for label, _, _ in SAMPLE_COMMENTS} >= {"positive", "negative", "toxic", "emoji"}
    (error,) = [item for item in items if "error" in item]
    assert error["submittedVideoUrl"] == gone


def test_what_the_stand_in_renders_parses_into_the_requested_posts_comments() -> None:
    url, gone = tiktok_url(), "https://www.tiktok.com/@nobody/video/7000000000000000001"
    items = render_items(TIKTOK, {"postURLs": [url, gone], "commentsPerPost": 4}, NOW, World(NOW))
    requested = [RequestedProfile("x", url), RequestedProfile("x", gone)]
    results = parse_comments(TIKTOK.ref.replace("~", "/"), items, requested, per_post=4)
    assert len(results.comments) == 4
    assert {c.post_url for c in results.comments} == {url}
    assert "unavailable" in results.failures[gone]


def test_a_comments_run_needs_post_urls() -> None:
    profile = {"directUrls": ["https://www.instagram.com/anna/"], "resultsType": "comments"}
    with pytest.raises(ApiError, match="post URLs"):
        render_items(INSTAGRAM, profile, NOW, World(NOW))
