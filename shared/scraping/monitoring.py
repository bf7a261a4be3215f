"""What each 12-hour pass watches, and what each pass learned about every watched profile.

A pass looks for new posts of the accepted creators of active campaigns inside their dates
(in each campaign's own time zone), from each profile's last successful collection, and
re-measures every campaign post whose refresh window is open (see `planning.refresh_until`).
Refreshing covers active, paused and completed campaigns: a paused or completed campaign's
posts are still public and still gathering views, and its report needs their tail; drafts
have no posts. A campaign whose last day (in its zone) ended more than max(post_refresh_days,
7) days ago is not read at all (`closed_for_good`): its posts were posted by its end, so all
their windows have closed, and reading its matches every pass would grow with the archive.

A profile counts as collected only when its posts run returned it; one that did not keeps its
old "newer than" date, so the next pass asks again and nothing is lost. A posts run that did
not return a profile proves nothing against it: the run asks only for posts newer than the
last collection, and the actor returns nothing (or a "no_items" error item) for a creator who
has not posted since. Whether the profile itself is failing is told by the profiles run,
which asks for the profile every pass with no date filter, so a missing, private or renamed
profile fails there with the actor's reason. Its failure streak is keyed by job id, so a
redelivered ingest of the same job counts once; at exactly FAILING_PASSES profile passes in a
row it raises one alert on the organization's alert feed naming the creator and the profile
run's reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from shared.adaccounts.alerts import SpendAlerts
from shared.allocations.models import AllocationStatus
from shared.allocations.service import AllocationService
from shared.campaigns.models import CampaignStatus, Platform
from shared.campaigns.service import campaigns_collection
from shared.orgs.settings import settings_path
from shared.ports import DocumentStore
from shared.posts.service import matches_collection
from shared.scraping.actors import DEFAULT_COMMENTS_PER_POST, SCRAPED_PLATFORMS, ScrapeKind
from shared.scraping.ingest import post_key, posts_collection
from shared.scraping.jobs import monitoring_path
from shared.scraping.models import ScrapeJob
from shared.scraping.planning import (
    DEFAULT_REFRESH_DAYS,
    MonitoredProfile,
    RefreshPost,
    flight_end,
    monitoring_slot,
    refresh_until,
)
from shared.scraping.results import ScrapeResults

FAILING_PASSES = 3
PROFILE_FAILING = "scrape.profile_failing"
REFRESHED_STATES = [
    CampaignStatus.ACTIVE.value,
    CampaignStatus.PAUSED.value,
    CampaignStatus.COMPLETED.value,
]
NO_REASON = "the run named no reason"
STREAK_KIND = ScrapeKind.PROFILES.value  # the only kind of run whose misses count


def refresh_path(org_id: str, key: str) -> str:
    return f"orgs/{org_id}/post_refresh/{key}"


def stored_instant(value: Any) -> datetime | None:
    """A stored time as an aware datetime: Firestore returns timestamps, some fields hold ISO
    text, and a naive value is UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def closed_for_good(end: date, zone: str, days: int, now: datetime) -> bool:
    """Whether even a post published at the last moment of the campaign's last day (in its
    zone) is no longer refreshed: campaign posts are posted by the end, so that post's window,
    max(post_refresh_days, 7 days past the end), is the last of them to close."""
    last_close = refresh_until(flight_end(end, zone), end, zone, days)
    return last_close is not None and now >= last_close


class ProfileMonitoring:
    def __init__(
        self,
        *,
        store: DocumentStore,
        allocations: AllocationService,
        alerts: SpendAlerts,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._allocations = allocations
        self._alerts = alerts
        self._now = now

    def profiles(self, org_id: str) -> list[MonitoredProfile]:
        """Accepted creators of active campaigns whose dates include today, in their zone."""
        now = self._now()
        active = self._store.query(
            campaigns_collection(org_id), where=[("status", "==", CampaignStatus.ACTIVE.value)]
        )
        profiles: list[MonitoredProfile] = []
        for document in active:
            start, end = document.data.get("start_date"), document.data.get("end_date")
            zone = ZoneInfo(document.data.get("timezone") or "UTC")
            if not start or not end:
                continue
            start_day, end_day = date.fromisoformat(start), date.fromisoformat(end)
            if not start_day <= now.astimezone(zone).date() <= end_day:
                continue
            # The actors' "newer than" dates are UTC days: the local start's UTC day.
            first_day = datetime.combine(start_day, time.min, zone).astimezone(UTC).date()
            for allocation in self._allocations.book(org_id, document.id).allocations:
                if allocation.status is not AllocationStatus.ACCEPTED:
                    continue
                if allocation.platform not in SCRAPED_PLATFORMS:
                    continue
                state = self._store.get(
                    monitoring_path(org_id, allocation.platform.value, allocation.username)
                )
                collected = stored_instant((state or {}).get("last_collected_at"))
                profiles.append(
                    MonitoredProfile(
                        allocation.creator_id,
                        allocation.platform,
                        allocation.username,
                        collected.date() if collected else first_day,
                    )
                )
        return profiles

    def refresh_posts(self, org_id: str) -> list[RefreshPost]:
        """Every campaign post (detected or confirmed) with its refresh deadline; the planner
        keeps those still open. A campaign whose posts have all closed for good (see
        `closed_for_good`) is skipped before its matches are read."""
        days = int(
            (self._store.get(settings_path(org_id)) or {}).get("post_refresh_days")
            or DEFAULT_REFRESH_DAYS
        )
        now = self._now()
        watched = self._store.query(
            campaigns_collection(org_id), where=[("status", "in", REFRESHED_STATES)]
        )
        wanted: list[tuple[str, str | None, str, str]] = []
        for document in watched:
            end = document.data.get("end_date")
            zone = document.data.get("timezone") or "UTC"
            if end and closed_for_good(date.fromisoformat(end), zone, days, now):
                continue
            matches = self._store.query(
                matches_collection(org_id),
                where=[("campaign_id", "==", document.id), ("is_campaign_content", "==", True)],
            )
            wanted += [(m.data["post_key"], end, zone, document.id) for m in matches]
        posts = self._store.get_many(
            sorted({f"{posts_collection(org_id)}/{key}" for key, _, _, _ in wanted})
        )
        found = []
        for key, end, zone, campaign_id in wanted:
            post = posts.get(f"{posts_collection(org_id)}/{key}")
            if post is None or not post.get("url"):
                continue
            platform = Platform(post["platform"])
            if platform not in SCRAPED_PLATFORMS:
                continue
            until = refresh_until(
                stored_instant(post.get("posted_at")),
                date.fromisoformat(end) if end else None,
                zone,
                days,
            )
            if until is not None:
                found.append(
                    RefreshPost(
                        creator_id=post["creator_id"],
                        platform=platform,
                        username=post["username"],
                        post_key=key,
                        url=post["url"],
                        until=until,
                        campaign_id=campaign_id,
                    )
                )
        return found

    def comments_per_post(self, org_id: str) -> int:
        """The organization's bound on the comments read per post, or the default."""
        settings = self._store.get(settings_path(org_id)) or {}
        return int(settings.get("comments_per_post") or DEFAULT_COMMENTS_PER_POST)

    def record_pass(self, job: ScrapeJob, results: ScrapeResults, scraped_at: datetime) -> None:
        """What this run tells about each profile (or, for a refresh, each post) it asked for.
        A posts run that did not return a profile changes nothing: it keeps its date, and
        only the profiles run can say the profile is failing."""
        if job.kind is ScrapeKind.POST_REFRESH:
            self._record_refresh(job, results, scraped_at)
            return
        if job.kind is ScrapeKind.COMMENTS:
            return  # comments say nothing of a profile's collection
        for target in job.targets:
            path = monitoring_path(job.org_id, job.platform.value, target.username)
            name = target.username.lower()  # the results name profiles in lower case
            returned = name in results.returned
            if job.kind is ScrapeKind.POSTS and not returned:
                continue
            reason = results.failures.get(name) or NO_REASON
            state = self._store.update_atomically(
                path, partial(_passed, job=job, at=scraped_at, returned=returned, reason=reason)
            )
            streak = state.get("failing", {}).get(STREAK_KIND)
            if (
                streak
                and streak["passes"] == FAILING_PASSES
                and streak["job_ids"][-1] == job.job_id
            ):
                self._raise(job, target.creator_id, target.username, streak["reason"])

    def _raise(self, job: ScrapeJob, creator_id: str, username: str, reason: str) -> None:
        slot = monitoring_slot(job.created_at)
        self._alerts.raise_alert(
            job.org_id,
            key=f"scrape-profile-failing-{job.platform.value}-{username}-{slot}",
            kind=PROFILE_FAILING,
            subject=creator_id,
            message=(
                f"{job.platform.value} profile {username} of creator {creator_id} was not "
                f"collected in {FAILING_PASSES} passes in a row: {reason}"
            ),
            data={
                "creator_id": creator_id,
                "platform": job.platform.value,
                "username": username,
                "reason": reason,
                "scrape_kind": job.kind.value,
                "job_id": job.job_id,
            },
        )

    def _record_refresh(self, job: ScrapeJob, results: ScrapeResults, scraped_at: datetime) -> None:
        refreshed = {post_key(p.platform.value, p.platform_post_id) for p in results.posts}
        keys = [t.post_key for t in job.targets if t.post_key]
        stored = self._store.get_many([refresh_path(job.org_id, k) for k in keys])
        changes = {}
        for key in keys:
            path = refresh_path(job.org_id, key)
            state = dict(stored.get(path) or {"post_key": key})
            if key in refreshed:
                state.update(last_refreshed_at=scraped_at, refreshed_by=job.job_id)
            else:
                state.update(last_missed_at=scraped_at, missed_by=job.job_id)
            changes[path] = state
        if changes:
            self._store.write_atomically(changes)


def _passed(
    data: dict[str, Any] | None, *, job: ScrapeJob, at: datetime, returned: bool, reason: str
) -> dict[str, Any]:
    """The profile's state after this job (a posts run that returned it, or a profiles run);
    the same job applied twice changes nothing."""
    state = dict(data or {})
    failing = dict(state.get("failing", {}))
    if returned:
        if job.job_id in state.get("collected_by", []):
            return state
        state["collected_by"] = [
            *state.get("collected_by", [])[-(FAILING_PASSES - 1) :],
            job.job_id,
        ]
        if job.kind is ScrapeKind.POSTS:
            state["last_collected_at"] = at.isoformat()
            state["job_id"] = job.job_id
        else:
            failing.pop(STREAK_KIND, None)
    else:
        streak = failing.get(STREAK_KIND, {"passes": 0, "job_ids": []})
        if job.job_id not in streak["job_ids"]:
            # The last few job ids are enough to recognise a redelivery; `passes` counts them all.
            failing[STREAK_KIND] = {
                "passes": streak["passes"] + 1,
                "job_ids": [*streak["job_ids"][-(FAILING_PASSES - 1) :], job.job_id],
                "reason": reason,
            }
    state["failing"] = failing
    return state
