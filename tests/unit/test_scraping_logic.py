"""Pure scraping logic: item parsing, engagement rate, run cost and run planning."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.campaigns.models import Platform
from shared.ports import ActorRun
from shared.scraping.actors import MAX_USERNAMES_PER_RUN, ScrapeKind, actor_for, run_input
from shared.scraping.cost import run_cost
from shared.scraping.engagement import engagement_rate
from shared.scraping.parsing import parse_items
from shared.scraping.planning import MonitoredProfile, plan_jobs

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)


def instagram_post(**fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": "3001",
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


@pytest.mark.parametrize("hidden", [-1, None])
def test_hidden_likes_stay_unknown_never_zero(hidden: int | None) -> None:
    parsed = parse_items("apify/instagram-scraper", [instagram_post(likesCount=hidden)])
    (post,) = parsed.posts
    assert post.likes is None
    assert post.comments == 8
    assert post.username == "trail.anna"
    assert post.is_paid_partnership is True


def test_malformed_items_are_skipped_with_a_reason_and_the_rest_kept() -> None:
    parsed = parse_items(
        "apify/instagram-scraper",
        [
            instagram_post(),
            instagram_post(id=None),
            instagram_post(likesCount="1.2K"),
            "not an object",
            instagram_post(id="3002"),
        ],
    )
    assert [p.platform_post_id for p in parsed.posts] == ["3001", "3002"]
    assert sum(parsed.skipped.values()) == 3
    assert any(reason.startswith("id:") for reason in parsed.skipped)
    assert any(reason.startswith("likesCount:") for reason in parsed.skipped)


def test_tiktok_items_carry_the_authors_followers() -> None:
    item = {
        "id": "7001",
        "text": "#AcmeTrail run @acmeoutdoor",
        "createTimeISO": "2026-11-19T08:00:00.000Z",
        "authorMeta": {"name": "runwithmax", "fans": 31500, "following": 10, "video": 200},
        "diggCount": 900,
        "commentCount": 30,
        "shareCount": 12,
        "playCount": 21000,
        "hashtags": [{"name": "AcmeTrail"}],
        "mentions": ["@acmeoutdoor"],
        "isAd": True,
    }
    parsed = parse_items("clockworks/tiktok-scraper", [item])
    (post,) = parsed.posts
    assert (post.likes, post.shares, post.views) == (900, 12, 21000)
    assert post.mentions == ["acmeoutdoor"]
    assert parsed.profiles["runwithmax"].followers == 31500


def test_engagement_rate_is_the_mean_over_the_last_twelve_known_posts() -> None:
    posts = [(100, 10)] * 12 + [(10_000, 0)] * 5
    assert engagement_rate(1_000, posts) == pytest.approx(0.11)
    assert engagement_rate(1_000, [(None, 5), (90, 10)]) == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("followers", "posts"), [(None, [(1, 1)]), (0, [(1, 1)]), (100, []), (100, [(None, 3)])]
)
def test_engagement_rate_is_unknown_rather_than_guessed(
    followers: int | None, posts: list[tuple[int | None, int | None]]
) -> None:
    assert engagement_rate(followers, posts) is None


def run(**fields: object) -> ActorRun:
    values: dict[str, object] = {
        "run_id": "r",
        "actor_id": "a",
        "status": "SUCCEEDED",
        "dataset_id": "d",
        "started_at": NOW,
        "finished_at": NOW,
        "usage_total_usd": 0.0123,
        "charged_event_counts": None,
        "pricing_model": None,
    }
    values.update(fields)
    return ActorRun(**values)  # type: ignore[arg-type]


def test_pay_per_event_runs_cost_their_charged_events() -> None:
    priced = run(
        pricing_model="PAY_PER_EVENT", charged_event_counts={"actor-start": 1, "result": 50}
    )
    cost = run_cost(priced, {"actor-start": 0.005, "result": 0.004})
    assert (cost.usd_micros, cost.source) == (205_000, "charged_events")


def test_other_runs_cost_their_platform_usage_and_unknown_stays_unknown() -> None:
    assert run_cost(run(), {}).usd_micros == 12_300
    assert run_cost(run(), {}).source == "usage_total_usd"
    assert run_cost(run(usage_total_usd=None), {}).usd_micros is None


def test_inputs_follow_each_actors_documented_fields() -> None:
    posts = run_input(
        actor_for(Platform.INSTAGRAM, ScrapeKind.POSTS), ["a", "b"], date(2026, 11, 1)
    )
    assert posts["directUrls"] == ["https://www.instagram.com/a/", "https://www.instagram.com/b/"]
    assert posts["onlyPostsNewerThan"] == "2026-11-01"
    tiktok = run_input(actor_for(Platform.TIKTOK, ScrapeKind.POSTS), ["a"], date(2026, 11, 1))
    assert tiktok == {
        "profiles": ["a"],
        "resultsPerPage": 30,
        "oldestPostDateUnified": "2026-11-01",
    }
    youtube = run_input(actor_for(Platform.YOUTUBE, ScrapeKind.POSTS), ["a"], None)
    assert youtube["startUrls"] == [{"url": "https://www.youtube.com/@a"}]


profiles = st.lists(
    st.builds(
        MonitoredProfile,
        creator_id=st.text("abc", min_size=1, max_size=3),
        platform=st.sampled_from([Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE]),
        username=st.text("abcdefgh", min_size=1, max_size=6),
        since=st.one_of(st.none(), st.dates(date(2026, 10, 1), date(2026, 11, 20))),
    ),
    max_size=300,
)


@given(profiles)
def test_every_profile_is_scraped_once_per_kind_from_its_earliest_date(
    monitored: list[MonitoredProfile],
) -> None:
    jobs = plan_jobs("org", monitored, NOW)
    for kind in ScrapeKind:
        covered = [(j.platform, t.username) for j in jobs if j.kind is kind for t in j.targets]
        assert sorted(covered) == sorted({(p.platform, p.username) for p in monitored})
    for job in jobs:
        assert len(job.targets) <= MAX_USERNAMES_PER_RUN
        if job.kind is ScrapeKind.POSTS:
            for target in job.targets:
                dates = [
                    p.since
                    for p in monitored
                    if (p.platform, p.username) == (job.platform, target.username)
                ]
                assert job.since == (None if None in dates else min(d for d in dates if d))


def test_a_second_plan_in_the_same_slot_has_the_same_job_ids() -> None:
    monitored = [MonitoredProfile("c1", Platform.INSTAGRAM, "anna", date(2026, 11, 1))]
    first = [j.job_id for j in plan_jobs("org", monitored, NOW)]
    assert first == [j.job_id for j in plan_jobs("org", monitored, NOW + timedelta(hours=1))]
    assert first != [j.job_id for j in plan_jobs("org", monitored, NOW + timedelta(hours=12))]
