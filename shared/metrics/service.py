"""Rolling campaign metrics up in the warehouse and serving them with their ratings.

A rollup is one set-based script (bigquery_sql/rollups/metrics.sql) for any number of campaigns
of an organization: a detection's campaigns, or every stale campaign of a scheduled pass. Ratings
are not stored: every reply rates the very row it returns (scoring is pure and cheap), so a
known cost per engagement is never shown beside a rating that "has not been computed yet", and
a changed threshold applies at once. The creator-against-tier comparison reads the creator's
current verified rate and its peers' at the same moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from shared.allocations.models import Allocation
from shared.allocations.service import AllocationService
from shared.auth import Principal
from shared.campaigns.models import Platform
from shared.campaigns.service import CampaignService
from shared.creators.service import CreatorService, profile_index_collection
from shared.errors import NotFound
from shared.events import DomainEvent
from shared.metrics import ROLLUP_SQL
from shared.metrics.attribution import MODEL, allocation_rows, conversion_figures
from shared.metrics.community import CommunityHealthService, health
from shared.metrics.definitions import CREATOR_TIERS, tier_for
from shared.metrics.emv import PostCounts, campaign_emv
from shared.metrics.formulas import engagements
from shared.metrics.models import (
    AllocationMetrics,
    CampaignMetrics,
    EmvExcludedPost,
    Figures,
    Score,
)
from shared.metrics.scoring import (
    Rating,
    assess_allocation,
    engagement_vs_tier_median,
    thresholds_for,
)
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
    "avg_engagement_rate": "no campaign post with known likes, comments and follower count",
    "spend_minor": "no accepted allocation yet: no fee is agreed",
    "cost_per_engagement_minor": "needs both an agreed fee and known, non-zero engagement",
    "cpm_minor": "needs both an agreed fee and known, non-zero views",
}
_NO_ROW = "no metrics yet: no campaign post has been collected and rolled up"
_CONSISTENT_READS = 3
"""Reads of a campaign's rows before giving up on catching them all from one rollup."""

PeerRates = dict[tuple[str, str], list[float]]


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
        self._community = CommunityHealthService(warehouse)

    def on_metrics_stale(self, event: DomainEvent) -> None:
        self.rollup(event.org_id, list(event.data["campaign_ids"]))

    def rollup(self, org_id: str, campaign_ids: Sequence[str]) -> None:
        """Recompute the campaigns' metrics from current state, in one script (idempotent)."""
        wanted = sorted(set(campaign_ids))
        if not wanted:
            return
        for campaign_id in wanted:
            self._sync_allocations(org_id, self._allocations.book(org_id, campaign_id).allocations)
        self._warehouse.run(
            ROLLUP_SQL,
            {"org_id": org_id, "campaign_ids": wanted, "computed_at": datetime.now(UTC)},
        )

    def campaign(self, principal: Principal, campaign_id: str) -> CampaignMetrics:
        campaign = self._campaigns.get(principal, campaign_id)
        org_id = principal.org_id
        totals, rows = self._consistent_rows(org_id, campaign_id)
        settings = self._settings.raw(org_id)
        peers: PeerRates = {}
        credited = allocation_rows(self._warehouse, org_id, campaign_id)
        allocations = [
            self._allocation(
                principal,
                allocation,
                rows.get(allocation.allocation_id),
                settings,
                peers,
                credited=credited.get(allocation.allocation_id, []),
            )
            for allocation in self._allocations.book(org_id, campaign_id).allocations
        ]
        posts = [post for allocation in allocations for post in allocation.posts]
        figures = _figures(totals, posts, settings, campaign.currency)
        community, by_creator = self._community.campaign(org_id, campaign_id)
        for metrics in allocations:
            metrics.community_health = by_creator.get(metrics.creator_id) or health(
                [], per_creator=True
            )
        return CampaignMetrics(
            **figures.model_dump(),
            campaign_id=campaign_id,
            allocations=allocations,
            community_health=community,
        )

    def allocation(
        self, principal: Principal, campaign_id: str, allocation_id: str
    ) -> AllocationMetrics:
        allocation = self._allocations.get(principal, campaign_id, allocation_id)
        rows = self._rows("queries/allocation_metrics.sql", principal.org_id, campaign_id)
        settings = self._settings.raw(principal.org_id)
        credited = allocation_rows(self._warehouse, principal.org_id, campaign_id)
        metrics = self._allocation(
            principal,
            allocation,
            rows.get(allocation_id),
            settings,
            {},
            credited=credited.get(allocation_id, []),
        )
        _, by_creator = self._community.campaign(principal.org_id, campaign_id)
        metrics.community_health = by_creator.get(metrics.creator_id) or health(
            [], per_creator=True
        )
        return metrics

    def _allocation(
        self,
        principal: Principal,
        allocation: Allocation,
        row: Mapping[str, Any] | None,
        settings: Mapping[str, Any],
        peers: PeerRates,
        *,
        credited: Sequence[Mapping[str, Any]],
    ) -> AllocationMetrics:
        org_id = principal.org_id
        posts = self._posts.campaign_posts(
            principal, allocation.campaign_id, allocation.allocation_id
        )
        figures = _figures(row, posts, settings, allocation.currency)
        attributed = conversion_figures(
            credited, figures.views, allocation.fee, allocation.currency
        )
        figures.unknown.update(attributed.unknown)
        return AllocationMetrics(
            **figures.model_dump(),
            tracking_sessions=attributed.tracking_sessions,
            conversions=attributed.conversions,
            conversion_value_micros=attributed.conversion_value_micros,
            ctr=attributed.ctr,
            cost_per_acquisition_minor=attributed.cost_per_acquisition_minor,
            attribution_model=MODEL,
            campaign_id=allocation.campaign_id,
            allocation_id=allocation.allocation_id,
            creator_id=allocation.creator_id,
            platform=allocation.platform.value,
            status=allocation.status.value,
            score=self._score(org_id, allocation, row, settings, peers),
            posts=posts,
        )

    def _consistent_rows(
        self, org_id: str, campaign_id: str
    ) -> tuple[dict[str, Any] | None, dict[str, dict[str, Any]]]:
        """The campaign row and its allocation rows, all written by the same rollup.

        A rollup commits both tables together; a reply that reads between two rollups would
        otherwise pair totals of one with allocations of the other, so it reads again.
        """
        for _ in range(_CONSISTENT_READS):
            totals = self._rows("queries/campaign_metrics.sql", org_id, campaign_id).get(
                campaign_id
            )
            rows = self._rows("queries/allocation_metrics.sql", org_id, campaign_id)
            stamps = {row.get("computed_at") for row in rows.values()}
            if totals is not None:
                stamps.add(totals.get("computed_at"))
            if len(stamps) <= 1:
                break
        return totals, rows

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
        peers: PeerRates,
    ) -> Score:
        """Rate the row being returned, under the thresholds the org uses now."""
        thresholds = thresholds_for(settings, allocation.platform.value)
        rating: Rating | None = None
        reason: str | None = _NO_ROW
        if row is not None:
            assessed = assess_allocation(
                row.get("cost_per_engagement_minor"), row.get("currency_minor_units"), thresholds
            )
            rating, reason = assessed.rating, assessed.reason
        rate, tier, comparison, tier_reason = self._versus_tier(org_id, allocation, peers)
        return Score(
            rating=rating,
            rating_reason=reason,
            strong_below=thresholds.strong_below,
            underperforming_above=thresholds.underperforming_above,
            creator_engagement_rate=rate,
            tier=tier,
            engagement_vs_tier_median=comparison,
            tier_reason=tier_reason,
        )

    def _versus_tier(
        self, org_id: str, allocation: Allocation, peers: PeerRates
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
            smallest = CREATOR_TIERS[0]
            why = f"below the smallest tier ({smallest.tier.value}, {smallest.min_followers:,})"
            return profile.verified_engagement_rate, None, None, why
        key = (allocation.platform.value, tier.value)
        if key not in peers:
            found = self._store.query(
                profile_index_collection(org_id),
                where=[
                    ("platform", "==", key[0]),
                    ("tier", "==", key[1]),
                    ("verified", "==", True),
                ],
            )
            peers[key] = [
                p.data["engagement_rate"]
                for p in found
                if p.data.get("engagement_rate") is not None
            ]
        comparison = engagement_vs_tier_median(profile.verified_engagement_rate, peers[key])
        reason = None if comparison is not None else "the tier has no verified rates to compare"
        return profile.verified_engagement_rate, tier.value, comparison, reason


def _figures(
    row: Mapping[str, Any] | None,
    posts: list[CampaignPost],
    settings: Mapping[str, Any],
    currency: str,
) -> Figures:
    if row is None:
        return Figures(currency=currency, unknown=dict.fromkeys(_WHY, _NO_ROW))
    fields = Figures.model_fields
    values = {
        name: row[name]
        for name in fields
        if name in row and (row[name] is not None or fields[name].default is None)
    }
    emv = campaign_emv(
        (
            PostCounts(
                platform=p.platform,
                views=p.views,
                engagements=engagements(p.likes, p.comments, p.shares),
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
        cpm_note=_cpm_note(values),
        emv_minor=emv.value_minor,
        emv_currency=emv.currency,
        emv_note=emv.note,
        emv_posts_valued=emv.posts_valued,
        emv_excluded=[
            EmvExcludedPost(platform=e.platform, post_id=e.post_id, reason=e.reason)
            for e in emv.excluded
        ],
        unknown=unknown,
    )


def _cpm_note(values: Mapping[str, Any]) -> str | None:
    """Say so when CPM divides spend by the views of only some of the campaign posts."""
    posts, reported = values.get("posts_count") or 0, values.get("views_posts_reported") or 0
    if values.get("cpm_minor") is None or reported >= posts:
        return None
    return (
        f"CPM counts the views of the {reported} of {posts} campaign posts that report views; "
        f"the other {posts - reported} add no views"
    )
