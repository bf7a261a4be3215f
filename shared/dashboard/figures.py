"""Pure assembly of the dashboard's figures from the rows its SQL returns.

The SQL computes every figure (bigquery_sql/queries/dashboard_roi.sql calls the KPI functions of
bigquery_sql/functions/paid_kpis.sql); this module only groups the rows per currency, ranks
them, turns funnel counts into drop-offs, and says why a None figure is None: for a KPI, from
its definition's numerator and denominator (shared/paid/kpis.py reads them from the SQL), after
the currency rule the SQL applies (no exchange rates: cpa and cost per engagement need one spend
currency, roas one money currency).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from shared.dashboard.models import (
    ConversionForecast,
    ForecastPoint,
    FunnelStage,
    Group,
    Money,
    Ranking,
)
from shared.forecasting.engine import DEFAULT_LEVEL, forecast_series
from shared.paid.kpis import definitions

MONEY_KPIS = {"cpa": "cpa", "roas": "roas", "cpe": "cost_per_engagement"}
"""The SQL's KPI columns -> the reply's names."""

CURRENCY_RULE = {"cpa": "spend_currencies", "cpe": "spend_currencies", "roas": "money_currencies"}
"""Which count of currencies must be 1 for the KPI (the IF around it in dashboard_roi.sql)."""

MISSING = {
    "spend_micros": (
        "no spend recorded (no creator fee of an activated campaign, no ad spend synced)"
    ),
    "conversions": "no conversions tracked in the range under this attribution model",
    "conversion_value_micros": "no conversion value credited in this currency",
    "engagements": "no engagements reported",
}
"""Why a figure the SQL reads is unknown, by its column."""


def money_unknown(row: Mapping[str, Any]) -> dict[str, str]:
    """Why each None figure of one currency's row is None."""
    reasons = {
        name: MISSING[column]
        for column, name in (
            ("spend_micros", "spend_micros"),
            ("conversion_value_micros", "conversion_value_micros"),
            ("engagements", "engagements"),
        )
        if row[column] is None
    }
    for kpi in definitions():
        name = MONEY_KPIS.get(kpi.name)
        if name is None or row[kpi.name] is not None:
            continue
        currencies = row[CURRENCY_RULE[kpi.name]]
        if currencies > 1:
            reasons[name] = f"money in {currencies} currencies; no exchange rates are applied"
        elif row.get(kpi.denominator) is None:
            reasons[name] = MISSING[kpi.denominator]
        elif row[kpi.denominator] == 0:
            reasons[name] = f"{kpi.denominator} is 0"
        else:
            reasons[name] = MISSING[kpi.numerator]
    return reasons


def money_of(row: Mapping[str, Any]) -> Money:
    return Money(
        currency=row["currency"],
        spend_micros=row["spend_micros"],
        conversion_value_micros=row["conversion_value_micros"],
        engagements=row["engagements"],
        roas=row["roas"],
        cpa=row["cpa"],
        cost_per_engagement=row["cpe"],
        unknown=money_unknown(row),
    )


def groups_of(rows: Iterable[Mapping[str, Any]]) -> list[Group]:
    """One Group per group_key, in row order; rows without a currency only carry conversions."""
    keyed: dict[str | None, list[Mapping[str, Any]]] = {}
    for row in rows:
        keyed.setdefault(row["group_key"], []).append(row)
    return [group_of(key, members) for key, members in keyed.items()]


def group_of(key: str | None, rows: Sequence[Mapping[str, Any]]) -> Group:
    conversions = rows[0]["conversions"] if rows else None
    money = [money_of(row) for row in rows if row["currency"] is not None]
    unknown: dict[str, str] = {}
    if conversions is None:
        unknown["conversions"] = MISSING["conversions"]
    if not money:
        unknown["money"] = "no spend and no conversion value recorded"
    return Group(key=key, conversions=conversions, money=money, unknown=unknown)


def ranked(groups: Iterable[Group], rank_by: Ranking, limit: int) -> list[Group]:
    """The best `limit` groups: highest roas or conversions, lowest cpa. A group whose figure is
    unknown is not ranked (a ratio compares across currencies; money amounts would not)."""
    scored: list[tuple[float, Group]] = []
    for group in groups:
        if rank_by == "conversions":
            figure = group.conversions
        else:
            known = [getattr(m, rank_by) for m in group.money if getattr(m, rank_by) is not None]
            figure = (max(known) if rank_by == "roas" else min(known)) if known else None
        if figure is not None:
            scored.append((-figure if rank_by != "cpa" else figure, group))
    scored.sort(key=lambda pair: (pair[0], pair[1].key or ""))
    return [group for _, group in scored[:limit]]


def funnel_stages(names: Sequence[str], visitors: Sequence[int]) -> list[FunnelStage]:
    """Drop-off and conversion rates per stage from each stage's distinct visitors."""
    stages: list[FunnelStage] = []
    for index, (name, count) in enumerate(zip(names, visitors, strict=True)):
        unknown: dict[str, str] = {}
        previous = visitors[index - 1] if index else None
        if previous is None:
            unknown["drop_off"] = unknown["rate_from_previous"] = "the first stage"
        elif previous == 0:
            unknown["rate_from_previous"] = "no visitor reached the stage before"
        if visitors[0] == 0:
            unknown["rate_from_first"] = "no visitor reached the first stage"
        stages.append(
            FunnelStage(
                stage=name,
                visitors=count,
                drop_off=None if previous is None else previous - count,
                rate_from_previous=count / previous if previous else None,
                rate_from_first=count / visitors[0] if visitors[0] else None,
                unknown=unknown,
            )
        )
    return stages


def conversions_forecast(
    days: Iterable[Group], from_day: date, to_day: date, horizon_days: int
) -> ConversionForecast:
    """Forecast credited conversions from the trend's day groups (key = ISO day). Unknown
    conversions (nothing tracked) give no forecast: zeros would be made up."""
    known = {group.key: group.conversions for group in days if group.key is not None}
    if not any(value is not None for value in known.values()):
        return ConversionForecast(
            method=None,
            level=DEFAULT_LEVEL,
            history_days=0,
            days=[],
            reason=MISSING["conversions"],
        )
    index = pd.date_range(from_day, to_day, freq="D")
    history = pd.Series(
        [known.get(day.date().isoformat()) or 0.0 for day in index], index=index, dtype=float
    )
    made = forecast_series(history, horizon_days)
    return ConversionForecast(
        method=made.method,
        level=made.level,
        history_days=made.history_days,
        days=[
            ForecastPoint(day=d.day, predicted=d.predicted, lower=d.lower, upper=d.upper)
            for d in made.days
        ],
        reason=made.reason,
    )
