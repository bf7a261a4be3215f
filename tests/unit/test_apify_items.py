"""Mapping actor items back to the profiles a run asked for, and reading their counts and labels
the way each actor means them (shared/adapters/apify_items.py)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.adapters.apify_items import NOT_RETURNED, parse_results
from shared.adapters.apify_urls import post_ref, profile_handle
from shared.ports import RequestedProfile
from shared.scraping.results import ContentType

IG = "apify/instagram-scraper"
ANNA = [RequestedProfile("trail.anna")]


def instagram_post(**fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "inputUrl": "https://www.instagram.com/trail.anna/",
        "id": "3001",
        "shortCode": "DAbc3001xyz",
        "type": "Image",
        "ownerUsername": "Trail.Anna",
        "caption": "Ridge laps #AcmeTrail",
        "hashtags": ["AcmeTrail"],
        "mentions": ["acmeoutdoor"],
        "likesCount": 120,
        "commentsCount": 8,
        "timestamp": "2026-11-20T10:00:00.000Z",
        "paidPartnership": False,
        "isSponsored": True,
    }
    item.update(fields)
    return item


def brand_collab(**fields: object) -> dict[str, object]:
    return instagram_post(
        ownerUsername="acmeoutdoor",
        coauthorProducers=[{"id": "1", "is_verified": False, "username": "trail.anna"}],
        **fields,
    )


@pytest.mark.parametrize("input_url", ["https://www.instagram.com/trail.anna/", None])
def test_a_brand_owned_collab_post_is_the_co_authoring_creators_post(
    input_url: str | None,
) -> None:
    results = parse_results(IG, [brand_collab(inputUrl=input_url)], ANNA)
    (post,) = results.posts
    assert (post.username, post.author, post.coauthors) == (
        "trail.anna",
        "acmeoutdoor",
        ("trail.anna",),
    )
    assert results.returned == {"trail.anna"}
    assert not results.failures


def test_the_input_a_post_came_from_wins_over_its_owner() -> None:
    requested = [RequestedProfile("trail.anna"), RequestedProfile("acmeoutdoor")]
    results = parse_results(IG, [brand_collab()], requested)
    assert results.posts[0].username == "trail.anna"
    assert results.failures == {"acmeoutdoor": NOT_RETURNED}


def test_a_post_of_nobody_requested_is_skipped_with_a_reason() -> None:
    item = instagram_post(inputUrl=None, ownerUsername="someone.else")
    results = parse_results(IG, [item], ANNA)
    assert results.posts == []
    assert results.skipped == {"post of a profile that was not requested": 1}
    assert results.failures == {"trail.anna": NOT_RETURNED}


def test_reel_views_are_the_play_count_and_the_view_count_only_a_fallback() -> None:
    reel = {"type": "Video", "productType": "clips"}
    items = [
        instagram_post(id="1", videoViewCount=41200, videoPlayCount=88500, **reel),
        instagram_post(id="2", videoViewCount=5120, videoPlayCount=None, **reel),
        instagram_post(id="3", videoViewCount=None, videoPlayCount=None, **reel),
    ]
    results = parse_results(IG, items, ANNA)
    assert [p.views for p in results.posts] == [88500, 5120, None]
    assert {p.content_type for p in results.posts} == {ContentType.REEL}


def test_advertised_and_paid_partnership_are_kept_apart() -> None:
    items = [
        instagram_post(id="1", isSponsored=True, paidPartnership=False),
        instagram_post(id="2", isSponsored=False, paidPartnership=True),
        {
            k: v
            for k, v in instagram_post(id="3").items()
            if k not in ("isSponsored", "paidPartnership")
        },
    ]
    results = parse_results(IG, items, ANNA)
    flags = [(p.is_advertised, p.is_paid_partnership) for p in results.posts]
    assert flags == [(True, False), (False, True), (None, None)]


@pytest.mark.parametrize("hidden", [-1, None])
def test_hidden_likes_stay_unknown_never_zero(hidden: int | None) -> None:
    (post,) = parse_results(IG, [instagram_post(likesCount=hidden)], ANNA).posts
    assert post.likes is None
    assert post.comments == 8
    assert post.author == "trail.anna"


def test_an_error_item_is_a_failure_with_the_actors_own_reason() -> None:
    error = {
        "url": "https://www.instagram.com/private.pia/",
        "inputUrl": "https://www.instagram.com/private.pia/",
        "requestErrorMessages": [],
        "error": "no_items",
        "errorDescription": "Empty or private data for provided input",
    }
    requested = [*ANNA, RequestedProfile("private.pia")]
    results = parse_results(IG, [instagram_post(), error], requested)
    reason = "Empty or private data for provided input (no_items)"
    assert results.failures == {"private.pia": reason}
    assert results.skipped == {f"actor error: {reason}": 1}
    assert results.returned == {"trail.anna"}


def test_an_error_item_does_not_fail_a_profile_that_returned_posts() -> None:
    error = {"inputUrl": "https://www.instagram.com/trail.anna/", "error": "no_items"}
    results = parse_results(IG, [instagram_post(), error], ANNA)
    assert results.failures == {}
    assert results.skipped == {"actor error: no_items": 1}


def test_refresh_targets_map_posts_by_url_even_after_a_rename() -> None:
    requested = [
        RequestedProfile("trail.anna", "https://www.instagram.com/p/DAbc3001xyz/"),
        RequestedProfile("runwithmax", "https://www.instagram.com/reel/DGone000000/"),
    ]
    renamed = instagram_post(
        inputUrl="https://www.instagram.com/p/DAbc3001xyz/", ownerUsername="anna.on.trails"
    )
    deleted = {
        "inputUrl": "https://www.instagram.com/reel/DGone000000/",
        "error": "not_found",
        "errorDescription": "Post does not exist",
    }
    results = parse_results(IG, [renamed, deleted], requested)
    (post,) = results.posts
    assert (post.username, post.author) == ("trail.anna", "anna.on.trails")
    assert results.failures == {"runwithmax": "Post does not exist (not_found)"}


def test_malformed_items_are_skipped_with_a_reason_and_the_rest_kept() -> None:
    results = parse_results(
        IG,
        [
            instagram_post(),
            instagram_post(id=None),
            instagram_post(likesCount="1.2K"),
            "not an object",
            instagram_post(id="3002"),
            instagram_post(id="3002"),
        ],
        ANNA,
    )
    assert [p.platform_post_id for p in results.posts] == ["3001", "3002"]
    assert results.items == 6
    assert results.skipped["item is not an object"] == 1
    assert results.skipped["the same post again"] == 1
    assert any(reason.startswith("id:") for reason in results.skipped)
    assert any(reason.startswith("likesCount:") for reason in results.skipped)


def youtube_video(**fields: object) -> dict[str, Any]:
    item: dict[str, Any] = {
        "title": "Glacier loop",
        "type": "video",
        "id": "GlAc1erLoop",
        "url": "https://www.youtube.com/watch?v=GlAc1erLoop",
        "viewCount": 5100,
        "date": "2026-11-15T08:00:00.000Z",
        "likes": 230,
        "channelUrl": "https://www.youtube.com/@Alpine_Lena",
        "numberOfSubscribers": 8100,
        "commentsCount": 14,
    }
    item.update(fields)
    return item


def test_a_youtube_item_without_channel_username_is_named_by_its_channel_url() -> None:
    results = parse_results(
        "streamers/youtube-scraper", [youtube_video()], [RequestedProfile("alpine_lena")]
    )
    (post,) = results.posts
    assert (post.username, post.author, post.views) == ("alpine_lena", "alpine_lena", 5100)
    assert results.profiles["alpine_lena"].followers == 8100


def test_youtube_shorts_and_streams_are_told_apart() -> None:
    items = [
        youtube_video(id="a", type="shorts"),
        youtube_video(id="b", type="stream"),
        youtube_video(id="c", type=None, url="https://www.youtube.com/shorts/c"),
    ]
    results = parse_results("streamers/youtube-scraper", items, [RequestedProfile("alpine_lena")])
    kinds = [p.content_type for p in results.posts]
    assert kinds == [ContentType.SHORT, ContentType.STREAM, ContentType.SHORT]


def test_tiktok_sponsored_is_the_partnership_label_and_is_ad_the_promotion() -> None:
    item = {
        "id": "7001",
        "text": "#AcmeTrail run @acmeoutdoor",
        "createTimeISO": "2026-11-19T08:00:00.000Z",
        "authorMeta": {"name": "RunWithMax", "fans": 31500, "following": 10, "video": 200},
        "diggCount": 900,
        "commentCount": 30,
        "shareCount": 12,
        "playCount": 21000,
        "hashtags": [{"name": "AcmeTrail"}],
        "mentions": ["@acmeoutdoor"],
        "isAd": True,
        "isSponsored": False,
        "isPinned": True,
        "isSlideshow": True,
        "input": "runwithmax",
    }
    results = parse_results("clockworks/tiktok-scraper", [item], [RequestedProfile("runwithmax")])
    (post,) = results.posts
    assert (post.likes, post.shares, post.views) == (900, 12, 21000)
    assert (post.is_advertised, post.is_paid_partnership, post.is_pinned) == (True, False, True)
    assert post.content_type is ContentType.CAROUSEL
    assert post.mentions == ["acmeoutdoor"]
    assert results.profiles["runwithmax"].followers == 31500


@pytest.mark.parametrize(
    ("value", "handle"),
    [
        ("Trail.Anna", "trail.anna"),
        ("@runwithmax", "runwithmax"),
        ("https://www.instagram.com/trail.anna/", "trail.anna"),
        ("https://www.instagram.com/p/DAbc3001xyz/", None),
        ("https://www.tiktok.com/@runwithmax/video/7001", "runwithmax"),
        ("https://www.youtube.com/@alpine_lena/videos", "alpine_lena"),
        ("https://www.youtube.com/channel/UCaaaaaaaaaaaaaaaaaaaaaa", None),
        ("", None),
    ],
)
def test_handles_are_read_from_names_and_profile_urls(value: str, handle: str | None) -> None:
    assert profile_handle(value) == handle


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://www.instagram.com/p/DAbc3001xyz/", "DAbc3001xyz"),
        ("https://www.instagram.com/reel/DGone000000/?igsh=x", "DGone000000"),
        ("https://www.tiktok.com/@runwithmax/video/7001", "7001"),
        ("https://www.youtube.com/watch?v=GlAc1erLoop", "GlAc1erLoop"),
        ("https://www.youtube.com/shorts/Zq9xk2LmN0a", "Zq9xk2LmN0a"),
        ("https://youtu.be/Zq9xk2LmN0a", "Zq9xk2LmN0a"),
        ("https://www.instagram.com/trail.anna/", None),
    ],
)
def test_post_urls_are_read_as_the_platforms_post_ids(url: str, ref: str | None) -> None:
    assert post_ref(url) == ref
