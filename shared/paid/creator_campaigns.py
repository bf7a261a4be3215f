"""A creator's paid campaigns (talent used in ads): the five most recently active, with spend,
engagements, cost per engagement and the same Strong/Average/Underperforming rating as creator
allocations. Results are cached for 12 hours per creator; `refresh` recomputes them.

Reach is not summed: daily reach counts a person once per day, so its sum is not a reach.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from shared.auth import Principal
from shared.creators.service import CreatorService
from shared.metrics.definitions import currency_minor_units
from shared.metrics.scoring import assess_allocation, thresholds_for
from shared.model_base import QueryModel
from shared.orgs.settings import SettingsService
from shared.ports import DocumentStore, Warehouse

SQL = "queries/creator_paid_campaigns.sql"
CACHE_LIFETIME = timedelta(hours=12)
REACH_REASON = "daily reach does not add up across days; lifetime reach is not synced"


class PaidCampaignSummary(BaseModel):
    platform: str
    account_id: str
    campaign_id: str
    campaign_name: str | None
    currency: str
    last_active_date: date
    first_date: date
    reach: int | None
    reach_reason: str
    impressions: int | None
    engagements: int | None
    spend_micros: int | None
    cost_per_engagement: float | None
    rating: str | None
    rating_reason: str | None


class CreatorPaidCampaigns(BaseModel):
    creator_id: str
    items: list[PaidCampaignSummary]
    reason: str | None
    computed_at: datetime
    cached: bool


class PaidCampaignsQuery(QueryModel):
    refresh: bool = False


def _cache_path(org_id: str, creator_id: str) -> str:
    return f"orgs/{org_id}/creator_paid_cache/{creator_id}"


class CreatorPaidCampaignsService:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        creators: CreatorService,
        settings: SettingsService,
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._creators = creators
        self._settings = settings

    def get(self, principal: Principal, creator_id: str, refresh: bool) -> CreatorPaidCampaigns:
        self._creators.get(principal, creator_id)
        now = datetime.now(UTC)
        cached = self._store.get(_cache_path(principal.org_id, creator_id))
        if cached and not refresh:
            result = CreatorPaidCampaigns.model_validate({**cached, "cached": True})
            if now - result.computed_at < CACHE_LIFETIME:
                return result
        rows = self._warehouse.run(SQL, {"org_id": principal.org_id, "creator_id": creator_id})
        settings = self._settings.raw(principal.org_id)
        items = [_summary(row, settings) for row in rows]
        result = CreatorPaidCampaigns(
            creator_id=creator_id,
            items=items,
            reason=None if items else "no paid campaign is linked to this creator yet",
            computed_at=now,
            cached=False,
        )
        self._store.set(_cache_path(principal.org_id, creator_id), result.model_dump(mode="json"))
        return result


def _summary(row: dict[str, Any], settings: dict[str, Any]) -> PaidCampaignSummary:
    spend, engagements, currency = row["spend_micros"], row["engagements"], row["currency"]
    exponent = currency_minor_units(currency)
    cpe = row["cpe"]  # the SQL's kpi_cpe: major units, None on no or zero engagements
    cpe_minor = cpe * 10**exponent if cpe is not None and exponent is not None else None
    assessed = assess_allocation(cpe_minor, exponent, thresholds_for(settings, row["platform"]))
    return PaidCampaignSummary(
        **{
            k: row[k]
            for k in (
                "platform",
                "account_id",
                "campaign_id",
                "campaign_name",
                "last_active_date",
                "first_date",
                "impressions",
            )
        },
        currency=currency,
        reach=None,
        reach_reason=REACH_REASON,
        engagements=engagements,
        spend_micros=spend,
        cost_per_engagement=cpe,
        rating=assessed.rating.value if assessed.rating else None,
        rating_reason=assessed.reason,
    )
