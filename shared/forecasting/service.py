"""Forecasts people ask for and the weekly job's, stored twice: the Firestore document
`orgs/{org}/forecasts/{forecast_id}` (what the API lists) and one reachops.forecasts row per
metric and day (what accuracy and analysts read). A forecast is rewritten whole under its id:
the warehouse rows of the id are deleted before the new ones land, then the document is set,
so a rerun (the weekly job's id is per campaign and ISO week) replaces and never duplicates.

History: each metric's daily series of its scope (shared/forecasting/series.py) over the
HISTORY_DAYS complete days before the first forecast day: today (UTC), or the request's `as_of`
for a backtest, whose complete days accuracy then scores at once. A campaign flight's forecast
(`flight`) reads the paid delivery of its linked platform campaigns instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from shared.auth import Permission, Principal
from shared.campaigns.models import Campaign, CampaignStatus
from shared.campaigns.service import CampaignService, campaigns_collection
from shared.errors import ValidationFailed
from shared.forecasting.accuracy import ScoredDay, score
from shared.forecasting.engine import MAX_HORIZON_DAYS, Forecast, forecast_series
from shared.forecasting.flight import forecast_flight
from shared.forecasting.models import (
    BACKTEST_DAYS,
    HISTORY_DAYS,
    MONEY_METRICS,
    AccuracyQuery,
    AccuracyReply,
    ForecastGenerate,
    ForecastListQuery,
    ForecastPoint,
    MetricAccuracy,
    MetricForecast,
    StoredForecast,
)
from shared.forecasting.series import Scope, load_history
from shared.model_base import to_document
from shared.orgs.deletion import OrgDeleted
from shared.pagination import Page, fetch_page
from shared.paid.service import PaidPlanning
from shared.ports import DocumentStore, FilterOp, Warehouse

FORECASTS_TABLE = "forecasts"
FORECAST_KEYS = ("org_id", "forecast_id", "metric", "day")
DELETE_SQL = "queries/delete_forecast.sql"
ACCURACY_SQL = "queries/forecast_accuracy.sql"
ACCURACY_DAYS = BACKTEST_DAYS
WEEKLY_HORIZON_DAYS = 28
"""The weekly job forecasts four weeks of every metric, at the default level."""
Kind = Literal["on_demand", "weekly"]


def forecasts_collection(org_id: str) -> str:
    return f"orgs/{org_id}/forecasts"


def weekly_forecast_id(campaign_id: str, day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"weekly-{year}-W{week:02d}-{campaign_id}"


class ForecastService:
    def __init__(
        self,
        store: DocumentStore,
        warehouse: Warehouse,
        *,
        campaigns: CampaignService,
        paid_planning: PaidPlanning,
        max_page_size: int,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._campaigns = campaigns
        self._paid_planning = paid_planning
        self._max_page_size = max_page_size
        self._now = now

    def generate(self, principal: Principal, request: ForecastGenerate) -> StoredForecast:
        principal.require(Permission.WRITE_CAMPAIGNS)
        request.require_scope()
        campaign = (
            self._campaigns.get(principal, request.campaign_id) if request.campaign_id else None
        )
        return self._store_forecast(
            principal.org_id,
            request,
            campaign,
            forecast_id=secrets.token_hex(8),
            kind="on_demand",
            generated_by=principal.key_id,
        )

    def flight(self, principal: Principal, campaign_id: str) -> dict[str, Any]:
        """The campaign's spend and goal metric to the end of its flight (flight.py)."""
        series = self._paid_planning.flight_series(principal, campaign_id)
        result = forecast_flight(
            series.spend_micros,
            {day: None if v is None else float(v) for day, v in series.goal.items()},
            start=series.start,
            end=series.end,
            today=series.today,
        )
        return {
            "goal_metric": series.goal_metric,
            "currencies": series.currencies,
            "forecast": result,
        }

    def weekly(self) -> list[str]:
        """A forecast per active campaign of every organization, under its ISO week's id. An
        organization deleted while the pass runs refuses the writes: it is skipped."""
        stored: list[str] = []
        for org in self._store.query("orgs"):
            try:
                stored.extend(f"{org.id}/{f}" for f in self._weekly_of(org.id))
            except OrgDeleted:
                continue
        return stored

    def _weekly_of(self, org_id: str) -> list[str]:
        documents = self._store.query(
            campaigns_collection(org_id), where=[("status", "==", CampaignStatus.ACTIVE.value)]
        )
        stored = []
        for document in documents:
            campaign = Campaign.model_validate(document.data)
            request = ForecastGenerate(
                campaign_id=campaign.campaign_id, horizon_days=WEEKLY_HORIZON_DAYS
            )
            forecast_id = weekly_forecast_id(campaign.campaign_id, self._now().date())
            self._store_forecast(
                org_id,
                request,
                campaign,
                forecast_id=forecast_id,
                kind="weekly",
                generated_by="forecasts_weekly",
            )
            stored.append(forecast_id)
        return stored

    def list(self, principal: Principal, query: ForecastListQuery) -> Page[StoredForecast]:
        principal.require(Permission.READ)
        where: list[tuple[str, FilterOp, Any]] = [
            (field, "==", value)
            for field, value in (
                ("campaign_id", query.campaign_id),
                ("channel", query.channel),
                ("kind", query.kind),
            )
            if value is not None
        ]
        documents, next_cursor = fetch_page(
            self._store,
            forecasts_collection(principal.org_id),
            where=where,
            order_by=[("generated_at", "desc"), ("forecast_id", "desc")],
            cursor=query.cursor,
            limit=min(query.limit or self._max_page_size, self._max_page_size),
        )
        items = [StoredForecast.model_validate(d.data) for d in documents]
        return Page[StoredForecast](items=items, next_cursor=next_cursor)

    def accuracy(self, principal: Principal, query: AccuracyQuery) -> AccuracyReply:
        """Per stored forecast and metric, its complete days scored (accuracy.score)."""
        principal.require(Permission.READ)
        today = self._now().date()
        since = query.since or today - timedelta(days=ACCURACY_DAYS)
        rows = self._warehouse.run(
            ACCURACY_SQL,
            {
                "org_id": principal.org_id,
                "start_date": since,
                "today": today,
                "campaign_id": query.campaign_id,
                "channel": query.channel,
                "metric": query.metric,
            },
        )
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for row in rows:
            groups.setdefault((row["forecast_id"], row["metric"]), []).append(row)
        items = []
        for group in groups.values():
            first = group[0]
            result = score(
                [
                    ScoredDay(r["predicted"], r["lower"], r["upper"], float(r["actual"]))
                    for r in group
                ],
                float(first["level"]),
            )
            items.append(
                MetricAccuracy(
                    forecast_id=first["forecast_id"],
                    generated_at=first["generated_at"],
                    campaign_id=first["campaign_id"],
                    channel=first["channel"],
                    metric=first["metric"],
                    currency=first["currency"],
                    method=first["method"],
                    nominal_level=result.nominal_level,
                    n_days=result.n_days,
                    mape=result.mape,
                    mape_reason=result.mape_reason,
                    smape=result.smape,
                    coverage=result.coverage,
                )
            )
        return AccuracyReply(since=since, complete_before=today, items=items)

    def _store_forecast(
        self,
        org_id: str,
        request: ForecastGenerate,
        campaign: Campaign | None,
        *,
        forecast_id: str,
        kind: Kind,
        generated_by: str,
    ) -> StoredForecast:
        generated_at = self._now()
        first_day = request.first_day(generated_at.date())
        currency = request.currency or (campaign.currency if campaign else None)
        if currency is None and MONEY_METRICS.intersection(request.metrics):
            raise ValidationFailed(
                "spend and revenue are forecast in one currency: name it for a channel",
                field="currency",
            )
        scope = Scope(org_id, request.campaign_id, request.channel)
        history_start = first_day - timedelta(days=HISTORY_DAYS)
        history_end = first_day - timedelta(days=1)
        metrics = []
        for metric in request.metrics:
            metric_currency = currency if metric in MONEY_METRICS else None
            history = load_history(
                self._warehouse,
                scope,
                metric,
                currency=metric_currency,
                start=history_start,
                end=history_end,
            )
            result = forecast_series(
                history, request.horizon_days, request.level, last_day=history_end
            )
            metrics.append(_metric_forecast(metric, metric_currency, result, history.empty))
        forecast = StoredForecast(
            forecast_id=forecast_id,
            campaign_id=request.campaign_id,
            channel=request.channel,
            generated_at=generated_at,
            generated_by=generated_by,
            kind=kind,
            horizon_days=request.horizon_days,
            level=request.level,
            history_start=history_start,
            history_end=history_end,
            metrics=metrics,
        )
        self._warehouse.run(
            DELETE_SQL,
            {
                "org_id": org_id,
                "forecast_id": forecast_id,
                "start_date": first_day - timedelta(days=7),
                "end_date": first_day + timedelta(days=MAX_HORIZON_DAYS + 7),
            },
        )
        self._warehouse.merge_rows(
            FORECASTS_TABLE, _rows(org_id, forecast), FORECAST_KEYS, update_existing=True
        )
        self._store.set(f"{forecasts_collection(org_id)}/{forecast_id}", to_document(forecast))
        return forecast


def _metric_forecast(
    metric: Any, currency: str | None, result: Forecast, no_rows: bool
) -> MetricForecast:
    reason = result.reason
    if no_rows:
        reason = "nothing was recorded for this scope in the history window"
    return MetricForecast(
        metric=metric,
        currency=currency,
        method=result.method,
        history_days=result.history_days,
        total=result.total,
        total_lower=result.total_lower,
        total_upper=result.total_upper,
        reason=reason,
        points=[
            ForecastPoint(day=d.day, predicted=d.predicted, lower=d.lower, upper=d.upper)
            for d in result.days
        ],
    )


def _rows(org_id: str, forecast: StoredForecast) -> list[dict[str, Any]]:
    return [
        {
            "org_id": org_id,
            "forecast_id": forecast.forecast_id,
            "generated_at": forecast.generated_at,
            "campaign_id": forecast.campaign_id,
            "channel": forecast.channel,
            "metric": metric.metric,
            "day": point.day,
            "predicted": point.predicted,
            "lower": point.lower,
            "upper": point.upper,
            "level": forecast.level,
            "method": metric.method,
            "currency": metric.currency,
        }
        for metric in forecast.metrics
        for point in metric.points
    ]
