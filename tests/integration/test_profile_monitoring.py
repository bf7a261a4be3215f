"""What a 12-hour pass watches and what it learns about each profile, on the real services:
profiles are picked in each campaign's zone, campaign posts of running and finished campaigns
are refreshed (long-finished ones are not read), a quiet creator is not a failing one, and a
profile its profile runs keep missing raises one alert. Real Firestore emulator; the alert
goes through the real Pub/Sub emulator to the alert feed."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from shared.adaccounts.alerts import Alert, alerts_collection
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.campaigns.lifecycle import Action
from shared.campaigns.models import CampaignCreate, Platform
from shared.campaigns.service import CampaignService
from shared.creators.models import CreatorCreate
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.orgs.settings import OrgSettings
from shared.scraping.actors import ScrapeKind
from shared.scraping.ingest import POSTS_INGESTED, posts_collection
from shared.scraping.jobs import monitoring_path
from shared.scraping.models import ScrapeJob, ScrapeTarget
from shared.scraping.monitoring import FAILING_PASSES, PROFILE_FAILING, ProfileMonitoring
from shared.scraping.planning import MonitoredProfile
from shared.scraping.results import ScrapedPost, ScrapeResults

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
FEED_WAIT_SECONDS = 20
# What apify/instagram-scraper says for a profile with no posts newer than the date asked for.
NO_ITEMS = "Empty or private data for provided input"


class Clock:
    """The time the campaign service and the monitor see; a test moves it."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


@dataclass
class World:
    services: Services
    clock: Clock
    campaigns: CampaignService
    monitoring: ProfileMonitoring
    owner: Principal
    brand_id: str
    creator_id: str

    @property
    def org_id(self) -> str:
        return self.owner.org_id

    def campaign(
        self, status: str, dates: tuple[str, str], zone: str, tag: str = "trailrun"
    ) -> str:
        """A campaign with the creator accepted, moved to `status` through its lifecycle
        (activated on its first day, so a campaign already over can be set up)."""
        start, end = dates
        body = {
            "brand_id": self.brand_id,
            "name": f"Campaign {status} {start}",
            "budget": 10_000,
            "currency": "EUR",
            "goals": ["reach"],
            "platforms": ["instagram"],
            "start_date": start,
            "end_date": end,
            "timezone": zone,
            "tracking_config": {"required_hashtags": [tag]},
        }
        request = CampaignCreate.model_validate_json(json.dumps(body))
        campaign_id = self.campaigns.create(self.owner, request).campaign_id
        if status == "draft":
            return campaign_id
        self.clock.at = datetime.fromisoformat(f"{start}T12:00:00+00:00")
        try:
            self.campaigns.perform(self.owner, campaign_id, Action.ACTIVATE)
        finally:
            self.clock.at = NOW
        allocations = self.services.allocations
        allocations.fill(self.org_id, campaign_id)
        allocations.decide(self.owner, campaign_id, f"{self.creator_id}-instagram", accept=True)
        if status == "paused":
            self.campaigns.perform(self.owner, campaign_id, Action.PAUSE)
        elif status == "completed":
            self.campaigns.perform(self.owner, campaign_id, Action.COMPLETE)
        return campaign_id

    def posts(self, *posts: ScrapedPost) -> None:
        """Posts stored as the ingest stores them, then checked by the real detection."""
        documents = {
            f"{posts_collection(self.org_id)}/{key(p)}": {
                **asdict(p),
                "platform": p.platform.value,
                "coauthors": list(p.coauthors),
                "post_key": key(p),
                "creator_id": self.creator_id,
                "last_scraped_at": NOW,
                "last_run_id": "run-1",
            }
            for p in posts
        }
        self.services.store.write_atomically(documents)
        self.services.post_matching.on_posts_ingested(
            DomainEvent(
                type=POSTS_INGESTED,
                org_id=self.org_id,
                subject_id="job-1",
                actor=SYSTEM_ACTOR,
                data={"post_keys": [key(p) for p in posts], "creator_ids": [self.creator_id]},
            )
        )

    def refresh_days(self, days: int) -> None:
        self.services.settings_service.replace(self.owner, OrgSettings(post_refresh_days=days))

    def job(self, pass_no: int, kind: ScrapeKind = ScrapeKind.POSTS) -> ScrapeJob:
        at = NOW + timedelta(hours=12 * pass_no)
        return ScrapeJob(
            job_id=f"{kind.value}-{pass_no}",
            org_id=self.org_id,
            kind=kind,
            platform=Platform.INSTAGRAM,
            actor_id="apify/instagram-scraper",
            targets=[ScrapeTarget(creator_id=self.creator_id, username="Anna")],
            since=date(2026, 11, 1),
            created_at=at,
            updated_at=at,
        )

    def state(self) -> dict[str, Any]:
        return self.services.store.get(monitoring_path(self.org_id, "instagram", "Anna")) or {}

    def raised(self) -> int:
        """How many alerts were raised: `raise_alert` records each one as it publishes it."""
        return len(self.services.store.query(f"orgs/{self.org_id}/alert_breaches"))

    def feed(self, expected: int) -> list[Alert]:
        """The alert feed once the alert_feed subscriber has written `expected` entries."""
        deadline = time.monotonic() + FEED_WAIT_SECONDS
        while True:
            stored = self.services.store.query(alerts_collection(self.org_id))
            if len(stored) >= expected or time.monotonic() > deadline:
                alerts = [Alert.model_validate(d.data) for d in stored]
                return sorted(alerts, key=lambda a: a.raised_at)
            time.sleep(0.1)


@pytest.fixture
def world(app_services: Services) -> World:
    clock = Clock()
    services = app_services
    campaigns = CampaignService(
        services.store, services.outbox, services.brands, services.settings.max_page_size, now=clock
    )
    monitoring = ProfileMonitoring(
        store=services.store,
        allocations=services.allocations,
        alerts=services.spend_alerts,
        now=clock,
    )
    org, _ = services.orgs.create_org("Watching")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    brand = services.brands.create(owner, BrandCreate(name="Trail Co"))
    creator = services.creators.create(
        owner,
        CreatorCreate.model_validate_json(
            json.dumps(
                {
                    "name": "Anna",
                    "profiles": [
                        {"platform": "instagram", "username": "anna", "declared_followers": 5000}
                    ],
                }
            )
        ),
    )
    return World(services, clock, campaigns, monitoring, owner, brand.brand_id, creator.creator_id)


def key(post: ScrapedPost) -> str:
    return f"{post.platform.value}__{post.platform_post_id}"


def scraped(post_id: str, posted_at: datetime | None, tag: str | None = "trailrun") -> ScrapedPost:
    return ScrapedPost(
        platform=Platform.INSTAGRAM,
        platform_post_id=post_id,
        username="anna",
        author="anna",
        coauthors=(),
        url=f"https://www.instagram.com/p/{post_id}/",
        caption=f"Morning miles #{tag}" if tag else "Morning miles",
        hashtags=[tag] if tag else [],
        mentions=[],
        posted_at=posted_at,
        likes=1,
        comments=1,
        shares=None,
        views=None,
        is_paid_partnership=None,
        is_advertised=None,
        is_pinned=None,
        content_type=None,
    )


def failed(reason: str = "Profile is private") -> ScrapeResults:
    return ScrapeResults(failures={"anna": reason})


def returned() -> ScrapeResults:
    return ScrapeResults(returned={"anna"})


def test_dates_are_compared_in_the_campaigns_zone_and_since_is_the_local_starts_utc_day(
    world: World,
) -> None:
    # 20 Nov 12:00 UTC is already 21 Nov in Auckland (UTC+13), but still 20 Nov in UTC.
    world.campaign("active", ("2026-11-21", "2026-11-30"), "Pacific/Auckland")
    world.campaign("active", ("2026-11-21", "2026-11-30"), "UTC")
    world.campaign("completed", ("2026-11-01", "2026-11-30"), "UTC")
    world.clock.at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    (profile,) = world.monitoring.profiles(world.org_id)
    assert profile == MonitoredProfile(
        world.creator_id, Platform.INSTAGRAM, "anna", date(2026, 11, 20)
    )
    collected = world.job(0)
    collected.targets = [ScrapeTarget(creator_id=world.creator_id, username="anna")]
    world.monitoring.record_pass(collected, returned(), datetime(2026, 11, 20, 6, tzinfo=UTC))
    assert world.monitoring.profiles(world.org_id)[0].since == date(2026, 11, 20)


def test_campaign_posts_of_active_paused_and_completed_campaigns_are_refreshed(
    world: World,
) -> None:
    world.campaign("completed", ("2026-10-01", "2026-10-31"), "UTC")
    world.campaign("draft", ("2026-10-01", "2026-10-31"), "UTC")
    world.campaign("paused", ("2026-11-01", "2026-11-14"), "UTC")
    world.campaign("active", ("2026-11-15", "2026-11-30"), "UTC")
    world.refresh_days(60)
    world.posts(
        scraped("1", datetime(2026, 10, 20, tzinfo=UTC)),
        scraped("2", datetime(2026, 10, 20, tzinfo=UTC), tag=None),  # not campaign content
        scraped("3", datetime(2026, 11, 10, tzinfo=UTC)),
        scraped("4", datetime(2026, 11, 18, tzinfo=UTC)),
    )
    refresh = {r.post_key: r for r in world.monitoring.refresh_posts(world.org_id)}
    assert sorted(refresh) == ["instagram__1", "instagram__3", "instagram__4"]
    assert refresh["instagram__1"].until == datetime(2026, 12, 19, tzinfo=UTC)
    assert refresh["instagram__3"].until == datetime(2027, 1, 9, tzinfo=UTC)
    assert refresh["instagram__4"].until == datetime(2027, 1, 17, tzinfo=UTC)


def test_a_campaign_over_for_longer_than_any_posts_window_is_not_read(world: World) -> None:
    # Both ended on 20 Oct: with 30 refresh days the UTC one's posts all closed by 20 Nov
    # 00:00 UTC; Honolulu's day ended ten hours later, so its posts close at 10:00 UTC.
    world.campaign("completed", ("2026-10-01", "2026-10-20"), "UTC", tag="trailrun")
    world.campaign("completed", ("2026-10-01", "2026-10-20"), "Pacific/Honolulu", tag="islandrun")
    world.posts(
        scraped("1", datetime(2026, 10, 15, tzinfo=UTC), tag="trailrun"),
        scraped("2", datetime(2026, 10, 15, tzinfo=UTC), tag="islandrun"),
    )
    refresh = world.monitoring.refresh_posts(world.org_id)
    assert [(r.post_key, r.until) for r in refresh] == [
        ("instagram__2", datetime(2026, 11, 14, tzinfo=UTC))
    ]
    world.clock.at = datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert world.monitoring.refresh_posts(world.org_id) == []


def test_with_fewer_refresh_days_than_the_tail_a_campaign_is_read_for_the_tail(
    world: World,
) -> None:
    world.refresh_days(3)
    world.campaign("completed", ("2026-11-01", "2026-11-12"), "UTC", tag="trailrun")
    world.campaign("completed", ("2026-11-01", "2026-11-13"), "UTC", tag="islandrun")
    world.posts(
        scraped("1", datetime(2026, 11, 10, tzinfo=UTC), tag="trailrun"),
        scraped("2", datetime(2026, 11, 10, tzinfo=UTC), tag="islandrun"),
    )
    refresh = world.monitoring.refresh_posts(world.org_id)
    # The 13 Nov campaign's posts are measured until 7 days past its end, not 3 past posting.
    assert [(r.post_key, r.until) for r in refresh] == [
        ("instagram__2", datetime(2026, 11, 21, tzinfo=UTC))
    ]


def test_a_missing_profile_keeps_its_date_and_three_profile_passes_raise_one_alert(
    world: World,
) -> None:
    world.monitoring.record_pass(world.job(0), returned(), NOW)
    assert world.state()["last_collected_at"] == NOW.isoformat()
    for n in range(1, FAILING_PASSES + 2):
        at = NOW + timedelta(hours=12 * n)
        for kind in (ScrapeKind.POSTS, ScrapeKind.PROFILES):
            world.monitoring.record_pass(world.job(n, kind), failed(), at)
            world.monitoring.record_pass(world.job(n, kind), failed(), at)  # redelivered
        assert world.raised() == (1 if n >= FAILING_PASSES else 0)
    assert world.state()["last_collected_at"] == NOW.isoformat()
    (alert,) = world.feed(expected=1)
    assert alert.kind == PROFILE_FAILING
    assert alert.subject == world.creator_id
    assert alert.data["reason"] == "Profile is private"
    assert "Anna" in alert.message
    assert world.creator_id in alert.message
    assert world.raised() == 1


def test_a_quiet_profile_whose_posts_runs_find_nothing_new_raises_no_alert(
    world: World,
) -> None:
    world.monitoring.record_pass(world.job(0), returned(), NOW)
    for n in range(1, 4 * FAILING_PASSES):
        at = NOW + timedelta(hours=12 * n)
        quiet = ScrapeResults() if n % 2 else failed(NO_ITEMS)
        world.monitoring.record_pass(world.job(n), quiet, at)
        world.monitoring.record_pass(world.job(n, ScrapeKind.PROFILES), returned(), at)
    assert world.raised() == 0
    assert world.state()["last_collected_at"] == NOW.isoformat()


def test_a_returned_profile_resets_the_streak_so_two_failures_either_side_raise_nothing(
    world: World,
) -> None:
    profiles = ScrapeKind.PROFILES
    world.monitoring.record_pass(world.job(1, profiles), failed(), NOW)
    world.monitoring.record_pass(world.job(2, profiles), failed(), NOW)
    world.monitoring.record_pass(world.job(3, profiles), returned(), NOW + timedelta(days=1))
    world.monitoring.record_pass(world.job(3), returned(), NOW + timedelta(days=1))
    world.monitoring.record_pass(world.job(4, profiles), failed(), NOW)
    world.monitoring.record_pass(world.job(5, profiles), failed(), NOW)
    assert world.raised() == 0
    assert world.state()["last_collected_at"] == (NOW + timedelta(days=1)).isoformat()


def test_each_new_streak_raises_again_and_failing_posts_runs_add_no_alert(world: World) -> None:
    for n in range(FAILING_PASSES):
        world.monitoring.record_pass(world.job(n), failed(), NOW)
        world.monitoring.record_pass(world.job(n, ScrapeKind.PROFILES), failed(), NOW)
    assert world.raised() == 1
    world.monitoring.record_pass(world.job(10, ScrapeKind.PROFILES), returned(), NOW)
    for n in range(11, 11 + FAILING_PASSES):
        world.monitoring.record_pass(world.job(n), failed("Profile not found"), NOW)
        world.monitoring.record_pass(
            world.job(n, ScrapeKind.PROFILES), failed("Profile not found"), NOW
        )
    assert world.raised() == 2
    alerts = world.feed(expected=2)
    assert [a.data["reason"] for a in alerts] == ["Profile is private", "Profile not found"]


def test_a_profile_run_never_moves_the_newer_than_date(world: World) -> None:
    world.monitoring.record_pass(world.job(1, ScrapeKind.PROFILES), returned(), NOW)
    assert world.state()
    assert "last_collected_at" not in world.state()


def test_a_refresh_records_which_posts_came_back(world: World) -> None:
    refresh = world.job(1, ScrapeKind.POST_REFRESH)
    refresh.targets = [
        ScrapeTarget(
            creator_id=world.creator_id, username="anna", post_url="u1", post_key="instagram__1"
        ),
        ScrapeTarget(
            creator_id=world.creator_id, username="anna", post_url="u2", post_key="instagram__2"
        ),
    ]
    came_back = ScrapeResults(posts=[scraped("1", None)], returned={"anna"})
    world.monitoring.record_pass(refresh, came_back, NOW)
    store = world.services.store
    first = store.get(f"orgs/{world.org_id}/post_refresh/instagram__1") or {}
    second = store.get(f"orgs/{world.org_id}/post_refresh/instagram__2") or {}
    assert first["last_refreshed_at"] == NOW
    assert second["missed_by"] == refresh.job_id
