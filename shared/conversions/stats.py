"""Conversion statistics over a range of days: counts, value per currency and conversion rate
(converting sessions over sessions with a page_view) by type, campaign and day, from one SQL
file (bigquery_sql/queries/conversion_stats.sql); this module only shapes its rows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shared.auth import Permission, Principal
from shared.conversions.models import ConversionStats, Money, StatsQuery, StatsRow
from shared.ports import Warehouse

STATS_SQL = "queries/conversion_stats.sql"
NO_SESSIONS = "no session with a page_view was tracked in the range"
NO_SESSIONS_ON_DAY = "no session with a page_view was tracked on the day"
CAMPAIGN_SESSIONS = (
    "a campaign's sessions come from attribution (GET /v1/attribution), not from the "
    "campaign a conversion names"
)


def conversion_rate(
    converting: int, sessions: int | None, empty: str
) -> tuple[float | None, str | None]:
    """converting / sessions, or null and why when there is no session to divide by."""
    if not sessions:
        return None, empty
    return converting / sessions, None


class ConversionStatsService:
    def __init__(self, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    def stats(self, principal: Principal, query: StatsQuery) -> ConversionStats:
        principal.require(Permission.READ)
        rows = self._warehouse.run(
            STATS_SQL,
            {"org_id": principal.org_id, "from_date": query.from_, "to_date": query.to},
        )
        return shape(query, rows)


def shape(query: StatsQuery, rows: list[dict[str, Any]]) -> ConversionStats:
    values: dict[tuple[str, str | None], list[Money]] = defaultdict(list)
    for row in rows:
        if row["measure"] == "value":
            money = Money(currency=row["currency"], value_micros=int(row["value_micros"]))
            values[(row["dimension"], row["dim_key"])].append(money)
    grouped: dict[str, list[StatsRow]] = defaultdict(list)
    for row in rows:
        if row["measure"] != "count":
            continue
        dimension, key = row["dimension"], row["dim_key"]
        sessions: int | None = int(row["sessions"])
        rate: float | None = None
        reason: str | None = CAMPAIGN_SESSIONS
        if dimension == "campaign":
            sessions = None
        else:
            empty = NO_SESSIONS_ON_DAY if dimension == "day" else NO_SESSIONS
            rate, reason = conversion_rate(int(row["converting_sessions"]), sessions, empty)
        grouped[dimension].append(
            StatsRow(
                key=key,
                conversions=int(row["conversions"]),
                value=sorted(values[(dimension, key)], key=lambda m: m.currency),
                sessions=sessions,
                converting_sessions=int(row["converting_sessions"]),
                conversion_rate=rate,
                conversion_rate_reason=reason,
            )
        )
    return ConversionStats(
        from_=query.from_,
        to=query.to,
        total=grouped["total"][0],
        by_type=sorted(grouped["type"], key=lambda r: r.key or ""),
        by_campaign=sorted(grouped["campaign"], key=lambda r: (r.key is None, r.key or "")),
        by_day=sorted(grouped["day"], key=lambda r: r.key or ""),
    )
