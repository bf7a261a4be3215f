"""Rolling campaign metrics up in the warehouse, scoring them, and serving them.

After each rollup every allocation is scored: its CPE rating under the organization's
thresholds for its platform, and its creator's verified engagement rate against the median
of verified creators of the same tier and platform in the organization. Scores are stored
with the rollup time, so the API shows what the last rollup concluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shared.allocations.models import Allocation
from shared.allocations.service import AllocationService
from shared.auth import Principal
from shared.campaigns.models import Platform
from shared.campaigns.service import CampaignService
from shared.creators.models import tier_for
from shared.creators.service import CreatorService, profile_index_collection
from shared.errors import NotFound
from shared.events import DomainEvent
from shared.metrics import ROLLUP_SQL
from shared.metrics.emv import PostCounts, campaign_emv
from shared.metrics.models import AllocationMetrics, CampaignMetrics, Figures, Score
from shared.metrics.scoring import assess_allocation, engagement_vs_tier_median, thresholds_for
from shared.orgs.settings import SettingsService
from shared.ports import DocumentStore, Warehouse
from shared.posts.models import CampaignPost
from shared.posts.service import PostMatching

_WHY = {
    "reach": "no source reported reach for any campaign post (public scrapes do not include it)",
    "views": "no campaign post reported views",
    "likes": "no campaign post reported likes (hidden or not collected)",
    "comments": "no campaign post reported comments",
    "shares": "no campaign post reported shares",
    "engagement": "no campaign post reported likes, comments or shares",
    "avg_engagement_rate": "no campaign post with known engagement and follower count",
    "spend_minor": "no accepted allocation yet: no fee is agreed",
    "cost_per_engagement_minor": "needs both an agreed fee and known, non-zero engagement",
    "cpm_minor": "needs both an agreed fee and known, non-zero views",
}


def scores_path(org_id: str, campaign_id: str) -> str:
    return f"orgs/{org_id}/campaign_scores/{campaign_id}"


class MetricsService:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        campaigns: CampaignService,
        allocations: AllocationService,
        creators: CreatorService,
        posts: PostMatching,
        settings: SettingsService,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._campaigns = campaigns
        self._allocations = allocations
        self._creators = creators
        self._posts = posts
        self._settings = settings

    def on_metrics_stale(self, event: DomainEvent) -> None:
        for campaign_id in event.data["campaign_ids"]:
            self.rollup(event.org_id, campaign_id)

    def rollup(self, org_id: str, campaign_id: str) -> None:
        """Recompute the campaign's metrics from current state, then score them (idempotent)."""
        book = self._allocations.book(org_id, campaign_id)
        self._sync_allocations(org_id, book.allocations)
        params = {"org_id": org_id, "campaign_id": campaign_id, "computed_at": datetime.now(UTC)}
        for sql in ROLLUP_SQL:
            self._warehouse.run(sql, params)
        rows = self._rows("queries/allocation_metrics.sql", org_id, campaign_id)
        settings = self._settings.raw(org_id)
        scores = {
            a.allocation_id: self._score(org_id, a, rows.get(a.allocation_id), settings)
            for a in book.allocations
        }
        self._store.set(
            scores_path(org_id, campaign_id),
            {
                "scored_at": params["computed_at"],
                "allocations": {k: v.model_dump(mode="json") for k, v in scores.items()},
            },
        )

    def campaign(self, principal: Principal, campaign_id: str) -> CampaignMetrics:
        campaign = self._campaigns.get(principal, campaign_id)
        org_id = principal.org_id
        totals = self._rows("queries/campaign_metrics.sql", org_id, campaign_id).get(campaign_id)
        allocations = [
            self.allocation(principal, campaign_id, a.allocation_id)
            for a in self._allocations.book(org_id, campaign_id).allocations
        ]
        posts = [post for allocation in allocations for post in allocation.posts]
        figures = _figures(totals, posts, self._settings.raw(org_id), campaign.currency)
        return CampaignMetrics(
            **figures.model_dump(), campaign_id=campaign_id, allocations=allocations
        )

    def allocation(
        self, principal: Principal, campaign_id: str, allocation_id: str
    ) -> AllocationMetrics:
        allocation = self._allocations.get(principal, campaign_id, allocation_id)
        org_id = principal.org_id
        row = self._rows("queries/allocation_metrics.sql", org_id, campaign_id).get(allocation_id)
        posts = self._posts.campaign_posts(principal, campaign_id, allocation_id)
        stored = (self._store.get(scores_path(org_id, campaign_id)) or {}).get("allocations", {})
        score = Score.model_validate(stored[allocation_id]) if allocation_id in stored else None
        figures = _figures(row, posts, self._settings.raw(org_id), allocation.currency)
        return AllocationMetrics(
            **figures.model_dump(),
            campaign_id=campaign_id,
            allocation_id=allocation_id,
            creator_id=allocation.creator_id,
            platform=allocation.platform.value,
            status=allocation.status.value,
            score=score,
            posts=posts,
        )

    def _rows(self, sql: str, org_id: str, campaign_id: str) -> dict[str, dict[str, Any]]:
        rows = self._warehouse.run(sql, {"org_id": org_id, "campaign_id": campaign_id})
        return {row.get("allocation_id", campaign_id): row for row in rows}

    def _sync_allocations(self, org_id: str, allocations: list[Allocation]) -> None:
        now = datetime.now(UTC)
        rows = [
            {
                "org_id": org_id,
                "campaign_id": a.campaign_id,
                "allocation_id": a.allocation_id,
                "creator_id": a.creator_id,
                "platform": a.platform.value,
                "status": a.status.value,
                "fee_minor": a.fee,
                "currency": a.currency,
                "updated_at": a.decided_at or a.created_at or now,
            }
            for a in allocations
        ]
        self._warehouse.merge_rows(
            "allocations", rows, ["org_id", "allocation_id"], update_existing=True
        )

    def _score(
        self,
        org_id: str,
        allocation: Allocation,
        row: Mapping[str, Any] | None,
        settings: Mapping[str, Any],
    ) -> Score:
        thresholds = thresholds_for(settings, allocation.platform.value)
        cpe = row.get("cost_per_engagement_minor") if row else None
        minor_units = row.get("currency_minor_units") if row else None
        assessed = assess_allocation(cpe, minor_units, thresholds)
        rate, tier, comparison, tier_reason = self._versus_tier(org_id, allocation)
        return Score(
            rating=assessed.rating,
            rating_reason=assessed.reason,
            strong_below=thresholds.strong_below,
            underperforming_above=thresholds.underperforming_above,
            creator_engagement_rate=rate,
            tier=tier,
            engagement_vs_tier_median=comparison,
            tier_reason=tier_reason,
        )

    def _versus_tier(
        self, org_id: str, allocation: Allocation
    ) -> tuple[float | None, str | None, float | None, str | None]:
        try:
            creator = self._creators.load(org_id, allocation.creator_id)
        except NotFound:
            return None, None, None, "creator no longer exists"
        profile = creator.profile(Platform(allocation.platform))
        if profile is None or profile.verified_engagement_rate is None:
            return None, None, None, "no verified engagement rate yet (not scraped)"
        tier = tier_for(profile.verified_followers)
        if tier is None:
            return profile.verified_engagement_rate, None, None, "below the smallest tier (1k)"
        peers = self._store.query(
            profile_index_collection(org_id),
            where=[
                ("platform", "==", allocation.platform.value),
                ("tier", "==", tier.value),
                ("verified", "==", True),
            ],
        )
        rates = [
            p.data["engagement_rate"] for p in peers if p.data.get("engagement_rate") is not None
        ]
        comparison = engagement_vs_tier_median(profile.verified_engagement_rate, rates)
        reason = None if comparison is not None else "the tier has no verified rates to compare"
        return profile.verified_engagement_rate, tier.value, comparison, reason


def _figures(
    row: Mapping[str, Any] | None,
    posts: list[CampaignPost],
    settings: Mapping[str, Any],
    currency: str,
) -> Figures:
    if row is None:
        reason = "no metrics yet: no campaign post has been collected and rolled up"
        return Figures(currency=currency, unknown=dict.fromkeys(_WHY, reason))
    values = {name: row.get(name) for name in Figures.model_fields if name in row}
    emv = campaign_emv(
        (
            PostCounts(
                platform=p.platform,
                views=p.views,
                engagements=_engagements(p),
                post_id=p.platform_post_id,
            )
            for p in posts
            if p.match.is_campaign_content
        ),
        settings,
    )
    unknown = {name: why for name, why in _WHY.items() if values.get(name) is None}
    if emv.value_minor is None:
        unknown["emv_minor"] = emv.reason or "unknown"
    return Figures(
        **{**values, "currency": row.get("currency") or currency},
        emv_minor=emv.value_minor,
        emv_currency=emv.currency,
        emv_note=emv.note,
        unknown=unknown,
    )


def _engagements(post: CampaignPost) -> int | None:
    parts = [post.likes, post.comments, post.shares]
    known = [part for part in parts if part is not None]
    return sum(known) if known else None
