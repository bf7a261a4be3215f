"""Typed paid insights rows: what a platform reported for one entity and day (with each
attribution window's conversions), and for one entity over a whole date range.

They are typed rather than dicts so a caller cannot mislabel a figure: a window's conversions
are only ever stored under that window (`WindowConversions`), and range reach only ever as a
range (`AdInsightRange`), never beside a day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from shared.paid import AD_INSIGHTS_COLUMNS, AD_RANGE_KEYS, AD_RANGE_TABLE
from shared.ports import Warehouse


@dataclass(frozen=True)
class WindowConversions:
    """Conversions and their value counted under one attribution window; `unknown` says why a
    None is None."""

    attribution_window: str
    conversions: float | None
    conversion_value_micros: int | None
    counted_action_types: tuple[str, ...] = ()
    unknown: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AdInsightRow:
    """One reachops.ad_insights_daily row, plus the conversions of every other window the report
    was asked for (stored in reachops.ad_conversions_daily)."""

    org_id: str
    platform: str
    account_id: str
    level: str
    entity_id: str
    entity_name: str | None
    campaign_id: str
    adset_id: str | None
    ad_id: str | None
    reachops_campaign_id: str | None
    creator_id: str | None
    date: date
    currency: str
    spend_micros: int | None
    impressions: int | None
    reach: int | None
    frequency: float | None
    clicks: int | None
    link_clicks: int | None
    conversions: float | None
    conversion_value_micros: int | None
    engagements: int | None
    video_p25: int | None
    video_p50: int | None
    video_p75: int | None
    video_p100: int | None
    actions_json: str | None
    attribution_windows: str | None
    source: str
    synced_at: datetime
    windows: tuple[WindowConversions, ...] = ()
    conversion_events: tuple[str, ...] = ()

    def daily_columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in AD_INSIGHTS_COLUMNS}

    def window_rows(self) -> list[dict[str, Any]]:
        """One reachops.ad_conversions_daily row per window other than `default`."""
        keys = ("org_id", "platform", "account_id", "level", "entity_id", "campaign_id", "date")
        return [
            {
                **{name: getattr(self, name) for name in keys},
                "attribution_window": window.attribution_window,
                "currency": self.currency,
                "conversions": window.conversions,
                "conversion_value_micros": window.conversion_value_micros,
                "conversion_events": ",".join(self.conversion_events) or None,
                "counted_action_types": ",".join(window.counted_action_types) or None,
                "synced_at": self.synced_at,
            }
            for window in self.windows
        ]

    def window(self, name: str) -> WindowConversions | None:
        return next((w for w in self.windows if w.attribution_window == name), None)


@dataclass(frozen=True)
class AdInsightRange:
    """One reachops.ad_insights_range row: an entity's delivery over since..until as one range
    report gives it, with reach and frequency de-duplicated over the whole range by Meta."""

    org_id: str
    platform: str
    account_id: str
    level: str
    entity_id: str
    entity_name: str | None
    campaign_id: str
    since: date
    until: date
    currency: str
    spend_micros: int | None
    impressions: int | None
    reach: int | None
    frequency: float | None
    source: str
    synced_at: datetime

    def columns(self) -> dict[str, Any]:
        return asdict(self)


AD_RANGE_COLUMNS = tuple(f.name for f in fields(AdInsightRange))


def save_ranges(warehouse: Warehouse, rows: Sequence[AdInsightRange]) -> None:
    """Upsert range rows on (org, platform, account, level, entity, since, until): a re-sync of
    the same range replaces its figures."""
    warehouse.merge_rows(
        AD_RANGE_TABLE, [row.columns() for row in rows], AD_RANGE_KEYS, update_existing=True
    )
