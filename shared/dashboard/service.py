"""The dashboard's service: resolves what a request narrows to (a campaign, or a brand's
campaigns and sites, always within the caller's organization), runs the dashboard SQL and
assembles the reply (shared/dashboard/figures.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.campaigns.models import Campaign, CampaignListQuery
from shared.campaigns.service import CampaignService
from shared.dashboard.figures import (
    conversions_forecast,
    funnel_stages,
    group_of,
    groups_of,
    ranked,
)
from shared.dashboard.models import (
    DEFAULT_FUNNEL,
    CreditQuery,
    FunnelQuery,
    FunnelReply,
    Group,
    OverviewReply,
    RangeQuery,
    RoiQuery,
    RoiReply,
    Scoped,
    TopQuery,
    TrendsQuery,
    TrendsReply,
)
from shared.ports import Warehouse
from shared.tracking.sites import Site, SiteListQuery, SiteService

ROI_SQL = "queries/dashboard_roi.sql"
FUNNEL_SQL = "queries/dashboard_funnel.sql"
GOAL_FUNNEL_SQL = "queries/dashboard_goal_funnel.sql"
MODEL_COMPARE_SQL = "queries/dashboard_model_compare.sql"
STAGE_PARAMS = tuple(f"stage_{n}" for n in range(1, 6))


class DashboardService:
    def __init__(
        self, warehouse: Warehouse, campaigns: CampaignService, sites: SiteService
    ) -> None:
        self._warehouse = warehouse
        self._campaigns = campaigns
        self._sites = sites

    def overview(self, principal: Principal, query: RangeQuery) -> OverviewReply:
        scope = self.campaign_scope(principal, query)
        total = groups_of(self.roi_rows(principal.org_id, query, "total", scope))
        return OverviewReply(
            from_day=query.from_,
            to_day=query.to,
            model=query.model,
            total=total[0] if total else group_of("total", []),
            channels=groups_of(self.roi_rows(principal.org_id, query, "channel", scope)),
        )

    def roi(self, principal: Principal, query: RoiQuery) -> RoiReply:
        scope = self.campaign_scope(principal, query)
        rows = self.roi_rows(principal.org_id, query, query.by, scope)
        return self._reply(query, query.by, groups_of(rows))

    def top_performers(self, principal: Principal, query: TopQuery) -> RoiReply:
        scope = self.campaign_scope(principal, query)
        groups = groups_of(self.roi_rows(principal.org_id, query, query.by, scope))
        return self._reply(query, query.by, ranked(groups, query.rank_by, query.limit))

    def trends(self, principal: Principal, query: TrendsQuery) -> TrendsReply:
        scope = self.campaign_scope(principal, query)
        days = groups_of(self.roi_rows(principal.org_id, query, "day", scope))
        forecast = (
            conversions_forecast(days, query.from_, query.to, query.forecast_days)
            if query.forecast_days
            else None
        )
        return TrendsReply(
            from_day=query.from_,
            to_day=query.to,
            model=query.model,
            by="day",
            groups=days,
            forecast=forecast,
        )

    def funnel(self, principal: Principal, query: FunnelQuery) -> FunnelReply:
        principal.require(Permission.READ)
        sites = self.site_scope(principal, query)
        goals = query.goal_ids.split(",") if query.goal_ids else None
        stages = goals or list(DEFAULT_FUNNEL)
        params: dict[str, Any] = {
            "org_id": principal.org_id,
            "from_ts": datetime.combine(query.from_, time(), UTC),
            "to_ts": datetime.combine(query.to + timedelta(days=1), time(), UTC),
            "filter_sites": sites is not None,
            "site_ids": sites or [],
        }
        params |= {
            name: stages[i] if i < len(stages) else None for i, name in enumerate(STAGE_PARAMS)
        }
        row = self._warehouse.run(GOAL_FUNNEL_SQL if goals else FUNNEL_SQL, params)[0]
        counts = [int(row[f"visitors_{i + 1}"]) for i in range(len(stages))]
        return FunnelReply(
            from_day=query.from_,
            to_day=query.to,
            kind="goals" if goals else "events",
            stages=funnel_stages(stages, counts),
        )

    def model_compare(
        self, org_id: str, query: CreditQuery, campaign_ids: list[str] | None
    ) -> list[dict[str, Any]]:
        """Every attribution model's credit side by side (the report's comparison)."""
        return self._warehouse.run(
            MODEL_COMPARE_SQL,
            {
                "org_id": org_id,
                "from_day": query.from_,
                "to_day": query.to,
                "event_types": query.event_types(),
                "filter_campaigns": campaign_ids is not None,
                "campaign_ids": campaign_ids or [],
            },
        )

    def roi_rows(
        self, org_id: str, query: CreditQuery, by: str, campaign_ids: list[str] | None
    ) -> list[dict[str, Any]]:
        return self._warehouse.run(
            ROI_SQL,
            {
                "org_id": org_id,
                "from_day": query.from_,
                "to_day": query.to,
                "model": query.model,
                "event_types": query.event_types(),
                "by": by,
                "filter_campaigns": campaign_ids is not None,
                "campaign_ids": campaign_ids or [],
            },
        )

    def campaign_scope(self, principal: Principal, query: Scoped) -> list[str] | None:
        """The campaigns the request narrows to (None: all of the organization's). A campaign
        of another organization, or of another brand than the one asked for, is not found."""
        principal.require(Permission.READ)
        if query.campaign_id:
            campaign = self._campaigns.get(principal, query.campaign_id)
            if query.brand_id and campaign.brand_id != query.brand_id:
                return []
            return [campaign.campaign_id]
        if query.brand_id:
            return [c.campaign_id for c in self._brand_campaigns(principal, query.brand_id)]
        return None

    def site_scope(self, principal: Principal, query: Scoped) -> list[str] | None:
        """The sites whose events a funnel counts: the brand's (or the campaign's brand's)."""
        brand = query.brand_id
        if query.campaign_id:
            campaign = self._campaigns.get(principal, query.campaign_id)
            if brand and campaign.brand_id != brand:
                return []
            brand = campaign.brand_id
        if brand is None:
            return None
        return [site.site_id for site in self._all_sites(principal) if site.brand_id == brand]

    def _brand_campaigns(self, principal: Principal, brand_id: str) -> Iterator[Campaign]:
        cursor: str | None = None
        while True:
            page = self._campaigns.list(
                principal, CampaignListQuery(brand_id=brand_id, cursor=cursor)
            )
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _all_sites(self, principal: Principal) -> Iterator[Site]:
        cursor: str | None = None
        while True:
            page = self._sites.list(principal, SiteListQuery(cursor=cursor))
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    @staticmethod
    def _reply(query: CreditQuery, by: str, groups: list[Group]) -> RoiReply:
        return RoiReply(
            from_day=query.from_, to_day=query.to, model=query.model, by=by, groups=groups
        )
