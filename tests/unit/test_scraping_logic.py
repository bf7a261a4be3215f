"""Pure scraping logic: engagement rate and run planning (run cost: test_run_cost; item
parsing: test_apify_items and test_apify_corpus)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.campaigns.models import Platform
from shared.scraping.actors import MAX_USERNAMES_PER_RUN, ScrapeKind, actor_for, run_input
from shared.scraping.engagement import engagement_rate
from shared.scraping.planning import MonitoredProfile, plan_jobs

NOW = datetime(2026, 11, 21, 6, tzinfo=UTC)


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
    for kind in (ScrapeKind.POSTS, ScrapeKind.PROFILES):
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
