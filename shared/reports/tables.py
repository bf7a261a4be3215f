"""What a campaign report holds, assembled once for both renderings: named tables of plain rows,
each with the reason it is empty when it is. Money stays integer micros per currency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shared.auth import Permission, Principal
from shared.campaigns.service import CampaignService
from shared.dashboard.figures import groups_of
from shared.dashboard.models import CreditQuery, FunnelQuery
from shared.dashboard.service import DashboardService
from shared.paid.kpis import kpi_names, unknown_kpis
from shared.ports import Warehouse

PAID_KPIS_SQL = "queries/dashboard_paid_kpis.sql"
POST_GROWTH_SQL = "queries/dashboard_post_growth.sql"


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    empty_reason: str
    unknown: list[dict[str, str]] = field(default_factory=list)
    """Per row, why each None figure is None (same order as rows; empty when not explained)."""


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: str
    campaign_name: str
    from_day: date
    to_day: date
    model: str
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


MONEY_COLUMNS = (
    "currency",
    "spend_micros",
    "conversion_value_micros",
    "roas",
    "cpa",
    "cost_per_engagement",
)


class CampaignReports:
    def __init__(
        self, warehouse: Warehouse, campaigns: CampaignService, dashboard: DashboardService
    ) -> None:
        self._warehouse = warehouse
        self._campaigns = campaigns
        self._dashboard = dashboard

    def build(self, principal: Principal, campaign_id: str, query: CreditQuery) -> CampaignReport:
        principal.require(Permission.READ)
        campaign = self._campaigns.get(principal, campaign_id)
        org, scope = principal.org_id, [campaign.campaign_id]
        params = {
            "org_id": org,
            "campaign_id": campaign_id,
            "from_day": query.from_,
            "to_day": query.to,
        }
        return CampaignReport(
            campaign_id=campaign_id,
            campaign_name=campaign.name,
            from_day=query.from_,
            to_day=query.to,
            model=query.model,
            tables=(
                summary_table(self._dashboard.roi_rows(org, query, "total", scope)),
                daily_table(self._dashboard.roi_rows(org, query, "day", scope)),
                posts_table(
                    self._warehouse.run(
                        POST_GROWTH_SQL,
                        {
                            "org_id": org,
                            "campaign_id": campaign_id,
                            "scraped_from": datetime.combine(query.from_, time(), UTC),
                            "scraped_until": datetime.combine(
                                query.to + timedelta(days=1), time(), UTC
                            ),
                        },
                    )
                ),
                paid_table(self._warehouse.run(PAID_KPIS_SQL, params)),
                models_table(self._dashboard.model_compare(org, query, scope)),
                funnel_table(
                    self._dashboard.funnel(
                        principal,
                        FunnelQuery.model_validate(
                            {"from": query.from_, "to": query.to, "campaign_id": campaign_id}
                        ),
                    ).model_dump()["stages"]
                ),
            ),
        )


def summary_table(rows: list[dict[str, Any]]) -> Table:
    groups = groups_of(rows)
    money = [m for g in groups for m in g.money]
    conversions = groups[0].conversions if groups else None
    return Table(
        name="summary",
        title="Summary",
        columns=(*MONEY_COLUMNS, "conversions"),
        rows=[
            m.model_dump(include=set(MONEY_COLUMNS)) | {"conversions": conversions} for m in money
        ],
        empty_reason="no spend and no conversion value recorded in the range",
        unknown=[m.unknown for m in money],
    )


def daily_table(rows: list[dict[str, Any]]) -> Table:
    kept = [r for r in rows if r["currency"] is not None or r["conversions"]]
    return Table(
        name="daily",
        title="Spend and results over time",
        columns=("day", "currency", "spend_micros", "conversions", "conversion_value_micros"),
        rows=[
            {
                "day": r["group_key"],
                **{
                    c: r[c]
                    for c in ("currency", "spend_micros", "conversions", "conversion_value_micros")
                },
            }
            for r in kept
        ],
        empty_reason="no spend and no conversions recorded in the range",
    )


def posts_table(rows: list[dict[str, Any]]) -> Table:
    columns = (
        "creator_id",
        "platform",
        "platform_post_id",
        "scraped_at",
        "views",
        "likes",
        "comments",
        "shares",
    )
    return Table(
        name="posts",
        title="Creator posts and their growth",
        columns=columns,
        rows=[{c: r[c] for c in columns} for r in rows],
        empty_reason="no campaign post was scraped in the range",
    )


def paid_table(rows: list[dict[str, Any]]) -> Table:
    columns = (
        "campaign_id",
        "campaign_name",
        "currency",
        "spend_micros",
        "impressions",
        "clicks",
        "conversions",
        "conversion_value_micros",
        *kpi_names(),
    )
    return Table(
        name="paid_kpis",
        title="Paid KPIs",
        columns=columns,
        rows=[{c: r[c] for c in columns} for r in rows],
        empty_reason="no Meta campaign linked to this campaign delivered in the range",
        unknown=[unknown_kpis(r) for r in rows],
    )


def models_table(rows: list[dict[str, Any]]) -> Table:
    return Table(
        name="attribution_models",
        title="Attribution by model",
        columns=("model", "currency", "conversions", "conversion_value_micros"),
        rows=rows,
        empty_reason="no conversion was credited to this campaign in the range",
    )


def funnel_table(stages: list[dict[str, Any]]) -> Table:
    columns = ("stage", "visitors", "drop_off", "rate_from_previous", "rate_from_first")
    tracked = any(s["visitors"] for s in stages)
    return Table(
        name="funnel",
        title="Funnel",
        columns=columns,
        rows=[{c: s[c] for c in columns} for s in stages] if tracked else [],
        empty_reason="no visitor of the brand's sites was tracked in the range",
        unknown=[s["unknown"] for s in stages] if tracked else [],
    )
