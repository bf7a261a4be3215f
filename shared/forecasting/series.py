"""The daily series a forecast is fitted on, read from reachops.forecast_actuals_daily (the view
that also scores forecasts, so history and accuracy agree on what happened): spend from the
dashboard's cost view (paid spend per day; a creator allocation's fee on the day its campaign
was first activated), conversions and revenue from last-click attribution, or Meta's own figures
for a Meta campaign-day attribution credits nothing (one source per campaign-day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from shared.ports import Warehouse

HISTORY_SQL = "queries/forecast_history.sql"


@dataclass(frozen=True)
class Scope:
    """None is every campaign (or channel) of the organization."""

    org_id: str
    campaign_id: str | None
    channel: str | None


def load_history(
    warehouse: Warehouse,
    scope: Scope,
    metric: str,
    *,
    currency: str | None,
    start: date,
    end: date,
) -> pd.Series:
    """Days that had something, oldest first (the engine fills the days between with zeros)."""
    rows = warehouse.run(
        HISTORY_SQL,
        {
            "org_id": scope.org_id,
            "campaign_id": scope.campaign_id,
            "channel": scope.channel,
            "metric": metric,
            "currency": currency,
            "start_date": start,
            "end_date": end,
        },
    )
    return pd.Series(
        [float(r["value"]) for r in rows],
        index=pd.DatetimeIndex([pd.Timestamp(r["day"]) for r in rows]),
        dtype=float,
    )
