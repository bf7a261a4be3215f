"""Delivery split by audience and placement: age and gender, country, placement, device.

Meta reports a breakdown as its own rows (the split of one object's day), so they live in
their own table, `ad_breakdowns_daily`, upserted on (org, platform, account, level, entity,
date, breakdown, segment): a re-read of a restated day replaces its rows. The figures are read
by the same converter as the daily insights (the Meta adapter's `meta_insight_row`), so a
breakdown's spend and conversions mean exactly what they mean in `ad_insights_daily`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from shared.adaccounts.models import AdAccount
from shared.adaccounts.service import AdAccountService
from shared.adaccounts.timezones import last_complete_day
from shared.auth import Permission, Principal
from shared.model_base import QueryModel
from shared.paid import LEVELS, InsightRecord
from shared.ports import AdsPlatform, Warehouse

logger = logging.getLogger(__name__)

BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "age_gender": ("age", "gender"),
    "country": ("country",),
    "placement": ("publisher_platform", "platform_position"),
    "device": ("device_platform",),
}
"""`by` -> Meta's breakdown fields (the columns of ad_breakdowns_daily that hold them)."""

DIMENSIONS = tuple(dict.fromkeys(d for dims in BREAKDOWNS.values() for d in dims))
BREAKDOWNS_TABLE = "ad_breakdowns_daily"
BREAKDOWN_KEYS = (
    "org_id", "platform", "account_id", "level", "entity_id", "date", "breakdown", "segment",
)  # fmt: skip
METRICS = (
    "spend_micros", "impressions", "reach", "clicks", "link_clicks", "conversions",
    "conversion_value_micros",
)  # fmt: skip
IDENTITY = ("org_id", "platform", "account_id", "level", "entity_id", "entity_name",
            "campaign_id", "adset_id", "ad_id", "date", "currency")  # fmt: skip
QUERY_SQL = "queries/paid_breakdowns.sql"
KPIS = ("cpm", "cpc", "ctr", "cpa", "roas")
"""The KPI columns QUERY_SQL computes (bigquery_sql/functions/paid_kpis.sql) for each segment."""
DEFAULT_DAYS = 28
UNKNOWN_SEGMENT = "unknown"
By = Literal["age_gender", "country", "placement", "device"]


RowConverter = Callable[..., InsightRecord]
"""Meta's insights row -> our typed row (the Meta adapter's converter, handed in by the
composition root); raises ValueError for a row without its identity."""


def breakdown_row(
    raw: Mapping[str, Any], *, breakdown: str, daily: Mapping[str, Any]
) -> dict[str, Any]:
    """One ad_breakdowns_daily row: the figures of `daily` (the converter's ad_insights_daily
    columns for `raw`) and the segment `raw` is of."""
    row = {name: daily[name] for name in (*IDENTITY, *METRICS, "attribution_windows")}
    values = {d: (str(raw[d]) if raw.get(d) not in (None, "") else None) for d in DIMENSIONS}
    fields = BREAKDOWNS[breakdown]
    row.update({d: values[d] if d in fields else None for d in DIMENSIONS})
    row["breakdown"] = breakdown
    row["segment"] = "|".join(values[d] or UNKNOWN_SEGMENT for d in fields)
    row["synced_at"] = daily["synced_at"]
    return row


class BreakdownSync:
    """Runs after an account's insight reports have all loaded, over the same window."""

    def __init__(self, *, warehouse: Warehouse, convert: RowConverter) -> None:
        self._warehouse = warehouse
        self._convert = convert

    def sync(
        self,
        ads: AdsPlatform,
        org_id: str,
        account: AdAccount,
        token: str,
        *,
        window: tuple[date, date],
        synced_at: datetime,
    ) -> int:
        """Read every breakdown at every level, then upsert; returns the rows written."""
        since, until = window
        rows: list[dict[str, Any]] = []
        rejected = 0
        for breakdown, fields in BREAKDOWNS.items():
            for level in LEVELS:
                for raw in ads.breakdown_rows(
                    token,
                    f"act_{account.account_id}",
                    level=level,
                    breakdowns=fields,
                    since=since,
                    until=until,
                    attribution_windows=account.attribution_windows,
                ):
                    try:
                        daily = self._convert(
                            raw,
                            org_id=org_id,
                            level=level,
                            synced_at=synced_at,
                            account_id=account.account_id,
                            account_currency=account.currency,
                            attribution_windows=account.attribution_windows,
                            conversion_events=account.conversion_events,
                            value_events=account.value_events,
                        ).daily_columns()
                    except ValueError as unusable:
                        rejected += 1
                        logger.debug("breakdown row skipped: %s", unusable)
                        continue
                    rows.append(breakdown_row(raw, breakdown=breakdown, daily=daily))
        if rejected:
            logger.warning("skipped %d breakdown rows of %s", rejected, account.account_id)
        self._warehouse.merge_rows(BREAKDOWNS_TABLE, rows, BREAKDOWN_KEYS, update_existing=True)
        return len(rows)


class BreakdownQuery(QueryModel):
    by: By
    since: date | None = None
    until: date | None = None
    level: Literal["campaign", "adset", "ad"] = "campaign"
    object_id: str | None = Field(default=None, pattern=r"^[0-9]{1,32}$")

    @model_validator(mode="after")
    def _ordered(self) -> BreakdownQuery:
        if self.since and self.until and self.until < self.since:
            raise ValueError("until is before since")
        return self


class BreakdownSegment(BaseModel):
    dimensions: dict[str, str | None] = Field(description="e.g. {age: 25-34, gender: female}")
    currency: str
    days: int
    spend_micros: int | None
    impressions: int | None
    reach: int | None = Field(description="null over more than one day or object (not additive)")
    clicks: int | None
    link_clicks: int | None
    conversions: float | None
    conversion_value_micros: int | None
    kpis: dict[str, float | None] = Field(description="cpm, cpc, ctr, cpa, roas (major units)")


class BreakdownTable(BaseModel):
    account_id: str
    by: str
    level: str
    object_id: str | None
    since: date
    until: date
    items: list[BreakdownSegment]


class PaidBreakdowns:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        accounts: AdAccountService,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._warehouse = warehouse
        self._accounts = accounts
        self._now = now

    def table(self, principal: Principal, account_id: str, query: BreakdownQuery) -> BreakdownTable:
        """Segments summed over the range; the default range is the account's last 28
        complete days (its own time zone)."""
        principal.require(Permission.READ)
        account = self._accounts.load(principal.org_id, account_id)
        until = query.until or last_complete_day(account, self._now())
        since = query.since or until - timedelta(days=DEFAULT_DAYS - 1)
        rows = self._warehouse.run(
            QUERY_SQL,
            {
                "org_id": principal.org_id,
                "account_id": account_id,
                "breakdown": query.by,
                "level": query.level,
                "object_id": query.object_id,
                "since": since,
                "until": until,
            },
        )
        fields = BREAKDOWNS[query.by]
        items = [
            BreakdownSegment(
                dimensions={d: row[d] for d in fields},
                **{k: row[k] for k in ("currency", "days", *METRICS)},
                kpis={k: row[k] for k in KPIS},
            )
            for row in rows
        ]
        return BreakdownTable(
            account_id=account_id,
            by=query.by,
            level=query.level,
            object_id=query.object_id,
            since=since,
            until=until,
            items=items,
        )
