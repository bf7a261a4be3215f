"""Campaign posts keep being measured for the whole flight and a tail after it, in few runs;
a profile is collected only when its run returned it, and one failing pass after pass raises
one alert."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from hypothesis import given
from hypothesis import strategies as st

from shared.adaccounts.alerts import ALERT_RAISED, SpendAlerts
from shared.allocations.models import Allocation, AllocationBook, AllocationStatus
from shared.allocations.service import AllocationService
from shared.campaigns.models import Platform
from shared.events import DomainEvent
from shared.ports import Document, Warehouse
from shared.scraping.actors import (
    MAX_POST_URLS_PER_RUN,
    ScrapeKind,
    actor_for,
    run_input,
)
from shared.scraping.jobs import monitoring_path
from shared.scraping.models import ScrapeJob, ScrapeTarget
from shared.scraping.monitoring import FAILING_PASSES, PROFILE_FAILING, ProfileMonitoring
from shared.scraping.planning import (
    MonitoredProfile,
    RefreshPost,
    plan_jobs,
    refresh_until,
)
from shared.scraping.results import ScrapeResults

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


class MemoryStore:
    """Just enough of the DocumentStore port for monitoring state and the alert breaches."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    def get(self, path: str) -> dict[str, Any] | None:
        return self.docs.get(path)

    def get_many(self, paths: Sequence[str]) -> dict[str, dict[str, Any]]:
        return {p: self.docs[p] for p in paths if p in self.docs}

    def create(self, path: str, data: Mapping[str, Any]) -> bool:
        if path in self.docs:
            return False
        self.docs[path] = dict(data)
        return True

    def write_atomically(
        self, sets: Mapping[str, Mapping[str, Any]], deletes: Sequence[str] = ()
    ) -> None:
        self.docs.update({p: dict(d) for p, d in sets.items()})

    def update_atomically(
        self, path: str, change: Callable[[dict[str, Any] | None], dict[str, Any]]
    ) -> dict[str, Any]:
        self.docs[path] = change(self.docs.get(path))
        return self.docs[path]

    def query(self, collection: str, *, where: Sequence[tuple[str, str, Any]] = ()) -> list[Any]:
        def matches(data: dict[str, Any]) -> bool:
            return all(data.get(f) in v if op == "in" else data.get(f) == v for f, op, v in where)

        return [
            Document(path.rsplit("/", 1)[1], data)
            for path, data in sorted(self.docs.items())
            if path.rsplit("/", 1)[0] == collection and matches(data)
        ]


class Books:
    """The allocation books the monitor reads: one accepted creator per campaign."""

    def book(self, org_id: str, campaign_id: str) -> AllocationBook:
        allocation = Allocation(
            allocation_id="a1",
            campaign_id=campaign_id,
            creator_id="c1",
            platform=Platform.INSTAGRAM,
            username="anna",
            status=AllocationStatus.ACCEPTED,
            fee=100,
            currency="EUR",
            slot=0,
            rank=1,
            reasons=[],
            followers=None,
            engagement_rate=None,
            verified=False,
            created_at=NOW,
        )
        return AllocationBook(campaign_id=campaign_id, allocations=[allocation])


class Bus:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def publish(self, event: DomainEvent) -> None:
        self.events.append(event)


def monitoring(now: datetime = NOW) -> tuple[ProfileMonitoring, MemoryStore, Bus]:
    store, bus = MemoryStore(), Bus()
    alerts = SpendAlerts(store=store, warehouse=cast(Warehouse, None), bus=bus)  # type: ignore[arg-type]
    watcher = ProfileMonitoring(
        store=store,  # type: ignore[arg-type]
        allocations=cast(AllocationService, Books()),
        alerts=alerts,
        now=lambda: now,
    )
    return watcher, store, bus


def campaign(store: MemoryStore, cid: str, status: str, dates: tuple[str, str], zone: str) -> None:
    start, end = dates
    store.docs[f"orgs/org/campaigns/{cid}"] = {
        "status": status,
        "start_date": start,
        "end_date": end,
        "timezone": zone,
    }


def test_dates_are_compared_in_the_campaigns_zone_and_since_is_the_local_starts_utc_day() -> None:
    # 20 Nov 12:00 UTC is already 21 Nov in Auckland (UTC+13), but still 20 Nov in UTC.
    watcher, store, _ = monitoring(datetime(2026, 11, 20, 12, tzinfo=UTC))
    campaign(store, "nz", "active", ("2026-11-21", "2026-11-30"), "Pacific/Auckland")
    campaign(store, "utc", "active", ("2026-11-21", "2026-11-30"), "UTC")
    campaign(store, "done", "completed", ("2026-11-01", "2026-11-30"), "UTC")
    (profile,) = watcher.profiles("org")
    assert profile == MonitoredProfile("c1", Platform.INSTAGRAM, "anna", date(2026, 11, 20))
    store.docs[STATE.replace("Anna", "anna")] = {"last_collected_at": "2026-11-20T06:00:00+00:00"}
    assert watcher.profiles("org")[0].since == date(2026, 11, 20)


def test_campaign_posts_of_active_paused_and_completed_campaigns_are_refreshed() -> None:
    watcher, store, _ = monitoring()
    campaign(store, "done", "completed", ("2026-10-01", "2026-10-31"), "UTC")
    campaign(store, "draft", "draft", ("2026-10-01", "2026-10-31"), "UTC")
    store.docs["orgs/org/settings/current"] = {"post_refresh_days": 60}
    for cid, key, content in [("done", "instagram__1", True), ("done", "instagram__2", False)]:
        store.docs[f"orgs/org/post_matches/{cid}__{key}"] = {
            "campaign_id": cid,
            "post_key": key,
            "is_campaign_content": content,
        }
        store.docs[f"orgs/org/posts/{key}"] = {
            "platform": "instagram",
            "username": "anna",
            "creator_id": "c1",
            "url": f"https://www.instagram.com/p/{key}/",
            "posted_at": datetime(2026, 10, 20, tzinfo=UTC),
        }
    (refresh,) = watcher.refresh_posts("org")
    assert refresh.post_key == "instagram__1"
    assert refresh.until == datetime(2026, 12, 19, tzinfo=UTC)


def job(pass_no: int, kind: ScrapeKind = ScrapeKind.POSTS) -> ScrapeJob:
    at = NOW + timedelta(hours=12 * pass_no)
    return ScrapeJob(
        job_id=f"{kind.value}-{pass_no}",
        org_id="org",
        kind=kind,
        platform=Platform.INSTAGRAM,
        actor_id="apify/instagram-scraper",
        targets=[ScrapeTarget(creator_id="c1", username="Anna")],
        since=date(2026, 11, 1),
        created_at=at,
        updated_at=at,
    )


def failed(reason: str = "Profile is private") -> ScrapeResults:
    return ScrapeResults(failures={"anna": reason})


def returned() -> ScrapeResults:
    return ScrapeResults(returned={"anna"})


STATE = monitoring_path("org", "instagram", "Anna")


def test_a_profile_not_returned_keeps_its_date_and_three_passes_raise_one_alert() -> None:
    watcher, store, bus = monitoring()
    watcher.record_pass(job(0), returned(), NOW)
    assert store.docs[STATE]["last_collected_at"] == NOW.isoformat()
    for n in range(1, FAILING_PASSES + 2):
        watcher.record_pass(job(n), failed(), NOW + timedelta(hours=12 * n))
        watcher.record_pass(job(n), failed(), NOW + timedelta(hours=12 * n))  # redelivered
    assert store.docs[STATE]["last_collected_at"] == NOW.isoformat()
    alerts = [e for e in bus.events if e.type == ALERT_RAISED]
    assert len(alerts) == 1
    assert alerts[0].data["kind"] == PROFILE_FAILING
    assert alerts[0].subject_id == "c1"
    assert alerts[0].data["reason"] == "Profile is private"
    assert "Anna" in alerts[0].data["message"]
    assert "c1" in alerts[0].data["message"]


def test_a_success_resets_the_streak_so_two_failures_either_side_raise_nothing() -> None:
    watcher, store, bus = monitoring()
    watcher.record_pass(job(1), failed(), NOW)
    watcher.record_pass(job(2), failed(), NOW)
    watcher.record_pass(job(3), returned(), NOW + timedelta(days=1))
    watcher.record_pass(job(4), failed(), NOW)
    watcher.record_pass(job(5), failed(), NOW)
    assert bus.events == []
    assert store.docs[STATE]["last_collected_at"] == (NOW + timedelta(days=1)).isoformat()


def test_each_new_streak_raises_again_and_both_kinds_failing_in_a_pass_raise_once() -> None:
    watcher, _, bus = monitoring()
    for n in range(FAILING_PASSES):
        watcher.record_pass(job(n), failed(), NOW)
        watcher.record_pass(job(n, ScrapeKind.PROFILES), failed(), NOW)
    assert len(bus.events) == 1
    watcher.record_pass(job(10), returned(), NOW)
    for n in range(11, 11 + FAILING_PASSES):
        watcher.record_pass(job(n), failed("Profile not found"), NOW)
    assert [e.data["reason"] for e in bus.events] == ["Profile is private", "Profile not found"]


def test_a_profile_run_never_moves_the_newer_than_date() -> None:
    watcher, store, _ = monitoring()
    watcher.record_pass(job(1, ScrapeKind.PROFILES), returned(), NOW)
    assert "last_collected_at" not in store.docs[STATE]


def test_a_refresh_records_which_posts_came_back() -> None:
    watcher, store, _ = monitoring()
    refresh = job(1, ScrapeKind.POST_REFRESH)
    refresh.targets = [
        ScrapeTarget(creator_id="c1", username="anna", post_url="u1", post_key="instagram__1"),
        ScrapeTarget(creator_id="c1", username="anna", post_url="u2", post_key="instagram__2"),
    ]
    came_back = ScrapeResults(posts=[_post("1")], returned={"anna"})
    watcher.record_pass(refresh, came_back, NOW)
    assert store.docs["orgs/org/post_refresh/instagram__1"]["last_refreshed_at"] == NOW
    assert store.docs["orgs/org/post_refresh/instagram__2"]["missed_by"] == refresh.job_id


def _post(post_id: str) -> Any:
    from shared.scraping.results import ScrapedPost

    return ScrapedPost(
        platform=Platform.INSTAGRAM,
        platform_post_id=post_id,
        username="anna",
        author="anna",
        coauthors=(),
        url=None,
        caption=None,
        hashtags=[],
        mentions=[],
        posted_at=None,
        likes=1,
        comments=1,
        shares=None,
        views=None,
        is_paid_partnership=None,
        is_advertised=None,
        is_pinned=None,
        content_type=None,
    )


def test_profiles_unchanged_keep_one_posts_and_one_profiles_run_each() -> None:
    profiles = [MonitoredProfile("c1", Platform.TIKTOK, "anna", date(2026, 11, 19))]
    jobs = plan_jobs("org", profiles, NOW)
    assert [j.kind for j in jobs] == [ScrapeKind.POSTS, ScrapeKind.PROFILES]
