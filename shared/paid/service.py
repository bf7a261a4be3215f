"""Paid media for one ReachOps campaign: pacing, the flight's daily series (which
shared/forecasting/flight.py forecasts) and budget advice from the daily delivery of the
platform campaigns linked to it.

The goal metric is the campaign's first goal that paid platforms report: conversions, sales
(conversion value), clicks (link clicks), engagement, views (completed video views); a reach
goal uses impressions, since reach does not add up across days and channels.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.auth import Principal
from shared.campaigns.models import Campaign, Goal
from shared.campaigns.service import CampaignService
from shared.errors import ValidationFailed
from shared.metrics.definitions import currency_minor_units
from shared.paid import AD_DAILY_SERIES_SQL
from shared.paid.budget import ChannelHistory, recommend_allocation
from shared.paid.budget.reply import BudgetRecommendation, recommendation_reply
from shared.paid.pacing import Flight, Pacing, pace
from shared.ports import Warehouse

GOAL_COLUMNS: list[tuple[Goal, str]] = [
    (Goal.CONVERSIONS, "conversions"),
    (Goal.SALES, "conversion_value_micros"),
    (Goal.CLICKS, "link_clicks"),
    (Goal.ENGAGEMENT, "engagements"),
    (Goal.VIEWS, "video_p100"),
    (Goal.REACH, "impressions"),
    (Goal.FOLLOWERS, "engagements"),
]
HISTORY_DAYS = 90
RECENT_DAYS = 28
CHANNEL_SERIES_SQL = "queries/ad_channel_series.sql"


def goal_column(campaign: Campaign) -> str:
    for goal, column in GOAL_COLUMNS:
        if goal in campaign.goals:
            return column
    return "engagements"


@dataclass(frozen=True)
class FlightSeries:
    goal_metric: str
    currencies: list[str]
    spend_micros: dict[date, int | None]
    goal: dict[date, int | None]
    start: date
    end: date
    today: date


class PaidPlanning:
    def __init__(self, *, warehouse: Warehouse, campaigns: CampaignService) -> None:
        self._warehouse = warehouse
        self._campaigns = campaigns

    def pacing(self, principal: Principal, campaign_id: str) -> dict[str, Any]:
        campaign, rows, today = self._load(principal, campaign_id)
        start, end = _flight(campaign)
        daily = {
            day: value
            for day, value in _daily(rows, "spend_micros", campaign.currency).items()
            if start <= day <= end
        }
        result: Pacing = pace(
            Flight(_budget_micros(campaign), start, end),
            today,
            sum(v for v in daily.values() if v is not None),
            daily,
        )
        return {"goal": None, "currencies": _currencies(rows), "pacing": result}

    def flight_series(self, principal: Principal, campaign_id: str) -> FlightSeries:
        """The daily spend and goal metric of the campaign's flight so far, which
        shared/forecasting/flight.py forecasts to the end of the flight."""
        campaign, rows, today = self._load(principal, campaign_id)
        start, end = _flight(campaign)
        column = goal_column(campaign)
        return FlightSeries(
            goal_metric=column,
            currencies=_currencies(rows),
            spend_micros=_daily(rows, "spend_micros", campaign.currency),
            goal=_daily(rows, column, campaign.currency),
            start=start,
            end=end,
            today=today,
        )

    def recommendation(
        self,
        principal: Principal,
        campaign_id: str,
        total_daily_budget_micros: int | None,
        allow_extrapolation: bool = False,
    ) -> BudgetRecommendation:
        """Channels are the platform campaigns linked to this campaign. Without a total, the
        advice re-splits what they spend now (their recent average daily spend)."""
        campaign, _, today = self._load(principal, campaign_id)
        column = goal_column(campaign)
        rows = [
            r
            for r in self._warehouse.run(
                CHANNEL_SERIES_SQL,
                {
                    "org_id": principal.org_id,
                    "start_date": today - timedelta(days=HISTORY_DAYS),
                    "end_date": today - timedelta(days=1),
                    "reachops_campaign_id": campaign_id,
                },
            )
            if r["currency"] == campaign.currency
        ]
        histories = _histories(rows, column, today)
        total = total_daily_budget_micros or _recent_daily_total(rows, today)
        if total is None:
            return recommendation_reply(column, None, allow_extrapolation)
        result = recommend_allocation(histories, total, allow_extrapolation=allow_extrapolation)
        return recommendation_reply(column, result, allow_extrapolation)

    def _load(
        self, principal: Principal, campaign_id: str
    ) -> tuple[Campaign, list[dict[str, Any]], date]:
        campaign = self._campaigns.get(principal, campaign_id)
        today = datetime.now(UTC).date()
        start, end = _flight(campaign)
        rows = self._warehouse.run(
            AD_DAILY_SERIES_SQL,
            {
                "org_id": principal.org_id,
                "start_date": min(start, today - timedelta(days=HISTORY_DAYS)),
                "end_date": min(end, today),
                "reachops_campaign_id": campaign_id,
            },
        )
        return campaign, rows, today


def _flight(campaign: Campaign) -> tuple[date, date]:
    if campaign.start_date is None or campaign.end_date is None:
        raise ValidationFailed("the campaign has no flight dates yet", field="start_date")
    return campaign.start_date, campaign.end_date


def _budget_micros(campaign: Campaign) -> int:
    """The campaign budget (minor units of its currency) in micros, as ad spend is kept."""
    exponent = currency_minor_units(campaign.currency)
    if exponent is None:
        raise ValidationFailed(f"{campaign.currency} has no ISO 4217 minor unit", field="currency")
    micros: int = campaign.budget * 10 ** (6 - exponent)
    return micros


def _currencies(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({str(r["currency"]) for r in rows})


def _daily(rows: list[dict[str, Any]], column: str, currency: str) -> dict[date, int | None]:
    """Per day, summed over channels in the campaign's currency (other currencies are not
    converted: no exchange rates are applied)."""
    totals: dict[date, int | None] = {}
    for row in rows:
        if row["currency"] != currency:
            continue
        day, value = row["date"], row[column]
        if value is None:
            totals.setdefault(day, None)
            continue
        totals[day] = (totals.get(day) or 0) + value
    return totals


def _channel(row: dict[str, Any]) -> str:
    return f"{row['platform']}:{row.get('campaign_name') or row['campaign_id']}"


def _recent_daily_total(rows: list[dict[str, Any]], today: date) -> int | None:
    recent = [
        r["spend_micros"]
        for r in rows
        if r["spend_micros"] is not None and r["date"] >= today - timedelta(days=RECENT_DAYS)
    ]
    return sum(recent) // RECENT_DAYS if recent else None


def _histories(rows: list[dict[str, Any]], column: str, today: date) -> list[ChannelHistory]:
    """One history per channel, oldest day first, one entry per day."""
    by_channel: dict[str, dict[date, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        by_channel[_channel(row)][row["date"]] = row
    histories = []
    for channel, days in sorted(by_channel.items()):
        first = min(days)
        span = [first + timedelta(days=i) for i in range((today - first).days)]
        histories.append(
            ChannelHistory(
                channel=channel,
                spend_micros=[days[d]["spend_micros"] if d in days else None for d in span],
                goal=[
                    float(days[d][column]) if d in days and days[d][column] is not None else None
                    for d in span
                ],
                first_day=first,
            )
        )
    return histories
