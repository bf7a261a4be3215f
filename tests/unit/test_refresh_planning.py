"""Campaign posts keep being measured for the whole flight and a tail after it, in few runs,
and every pass asks for each watched profile itself as well as its new posts. What a pass
learns about each profile is tested on the real services in
tests/integration/test_profile_monitoring.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.campaigns.models import Platform
from shared.scraping.actors import (
    MAX_POST_URLS_PER_RUN,
    ScrapeKind,
    actor_for,
    run_input,
)
from shared.scraping.planning import (
    MonitoredProfile,
    RefreshPost,
    plan_jobs,
    refresh_until,
)

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
END = date(2026, 11, 30)


def post(key: str, until: datetime, platform: Platform = Platform.INSTAGRAM) -> RefreshPost:
    return RefreshPost("c1", platform, "anna", key, f"https://www.instagram.com/p/{key}/", until)


def test_an_early_post_is_refreshed_for_its_days_after_posting() -> None:
    posted = datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert refresh_until(posted, END, "UTC", 60) == posted + timedelta(days=60)


def test_a_late_post_is_refreshed_until_seven_days_past_the_end_in_the_campaigns_zone() -> None:
    posted = datetime(2026, 11, 29, 12, tzinfo=UTC)
    # The end date's last moment in Auckland (UTC+13 in summer) plus seven days.
    assert refresh_until(posted, END, "Pacific/Auckland", 2) == datetime(
        2026, 12, 7, 11, tzinfo=UTC
    )
    assert refresh_until(posted, END, "UTC", 2) == datetime(2026, 12, 8, tzinfo=UTC)


def test_a_post_with_no_dates_is_not_refreshed_and_one_without_posting_time_gets_the_tail() -> None:
    assert refresh_until(None, None, "UTC", 30) is None
    assert refresh_until(None, END, "UTC", 30) == datetime(2026, 12, 8, tzinfo=UTC)


def test_open_posts_are_refreshed_every_pass_and_closed_ones_never() -> None:
    open_post = post("open", NOW + timedelta(hours=1))
    closed = post("closed", NOW - timedelta(seconds=1))
    (job,) = plan_jobs("org", [], NOW, [open_post, closed])
    assert job.kind is ScrapeKind.POST_REFRESH
    assert [(t.post_key, t.post_url, t.username) for t in job.targets] == [
        ("open", open_post.url, "anna")
    ]
    assert plan_jobs("org", [], NOW + timedelta(hours=2), [open_post, closed]) == []


def test_a_post_in_two_campaigns_is_refreshed_once_for_the_longer_window() -> None:
    short, long = post("p1", NOW - timedelta(hours=1)), post("p1", NOW + timedelta(days=3))
    (job,) = plan_jobs("org", [], NOW, [long, short])
    assert [t.post_key for t in job.targets] == ["p1"]


refresh_posts = st.lists(
    st.builds(
        RefreshPost,
        creator_id=st.just("c"),
        platform=st.sampled_from([Platform.INSTAGRAM, Platform.TIKTOK, Platform.YOUTUBE]),
        username=st.just("u"),
        post_key=st.text("abcdef", min_size=1, max_size=4),
        url=st.just("https://example.test/p"),
        until=st.datetimes(datetime(2026, 11, 19), datetime(2026, 11, 22), timezones=st.just(UTC)),
    ),
    max_size=400,
)


@given(refresh_posts)
def test_every_open_post_is_in_exactly_one_run_of_at_most_the_batch_size(
    posts: list[RefreshPost],
) -> None:
    jobs = plan_jobs("org", [], NOW, posts)
    covered = [(j.platform, t.post_key) for j in jobs for t in j.targets]
    assert sorted(covered) == sorted({(p.platform, p.post_key) for p in posts if p.until > NOW})
    assert all(0 < len(j.targets) <= MAX_POST_URLS_PER_RUN for j in jobs)
    by_platform = {p.platform for p in posts if p.until > NOW}
    # As few runs as the batch size allows: one partly filled run per platform at most.
    assert len(jobs) == sum(
        -(-len({p.post_key for p in posts if p.platform is pl and p.until > NOW}) // 100)
        for pl in by_platform
    )


def test_a_repeated_firing_in_the_slot_plans_the_same_refresh_jobs() -> None:
    posts = [post(f"p{i}", NOW + timedelta(days=2)) for i in range(250)]
    first = [j.job_id for j in plan_jobs("org", [], NOW, posts)]
    assert len(first) == 3
    assert first == [j.job_id for j in plan_jobs("org", [], NOW + timedelta(hours=1), posts)]
    assert first != [j.job_id for j in plan_jobs("org", [], NOW + timedelta(hours=12), posts)]


def test_refresh_inputs_name_the_posts_by_url_and_youtube_asks_for_shorts_and_streams() -> None:
    urls = ["https://x.test/1", "https://x.test/2"]
    instagram = run_input(actor_for(Platform.INSTAGRAM, ScrapeKind.POST_REFRESH), [], None, urls)
    assert instagram["directUrls"] == urls
    assert "onlyPostsNewerThan" not in instagram
    tiktok = run_input(actor_for(Platform.TIKTOK, ScrapeKind.POST_REFRESH), [], None, urls)
    assert tiktok == {"postURLs": urls}
    youtube = run_input(actor_for(Platform.YOUTUBE, ScrapeKind.POST_REFRESH), [], None, urls)
    assert youtube["startUrls"] == [{"url": u} for u in urls]
    channel = run_input(actor_for(Platform.YOUTUBE, ScrapeKind.POSTS), ["a"], None)
    assert channel["maxResults"] == channel["maxResultsShorts"] == channel["maxResultStreams"]


def test_profiles_unchanged_keep_one_posts_and_one_profiles_run_each() -> None:
    profiles = [MonitoredProfile("c1", Platform.TIKTOK, "anna", date(2026, 11, 19))]
    jobs = plan_jobs("org", profiles, NOW)
    assert [j.kind for j in jobs] == [ScrapeKind.POSTS, ScrapeKind.PROFILES]
