"""Forecasts stored in the Firestore emulator and reachops.forecasts (DuckDB), scored by the
accuracy SQL against what happened: a rerun of the weekly job replaces its forecast instead of
adding one, and days without a figure count as zeros in history and in accuracy."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.adapters.meta_insights import meta_insight_row
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.brands.models import BrandCreate
from shared.campaigns.lifecycle import Action
from shared.campaigns.models import CampaignCreate
from shared.forecasting.models import AccuracyQuery, ForecastGenerate, ForecastListQuery
from shared.forecasting.service import ForecastService, weekly_forecast_id
from shared.paid import save_insights
from shared.paid.rows import AdInsightRow

pytestmark = pytest.mark.integration

TODAY = datetime.now(UTC).date()


def spend_rows(org_id: str, campaign_id: str, days: range) -> list[AdInsightRow]:
    """A Meta campaign linked to the ReachOps campaign: about 100 EUR a day (a fixed wobble per
    day), 2 purchases a day, and nothing on Sundays (no row: a zero, not a gap)."""
    synced = datetime.now(UTC)
    rows = []
    for back in days:
        day = TODAY - timedelta(days=back)
        if day.weekday() == 6:
            continue
        raw = {
            "account_id": "act_1",
            "campaign_id": "meta1",
            "campaign_name": "Spring",
            "date_start": day.isoformat(),
            "account_currency": "EUR",
            "spend": f"{90 + day.toordinal() * 37 % 21}.00",
            "impressions": "1000",
            "actions": [{"action_type": "offsite_conversion.fb_pixel_purchase", "value": "2"}],
        }
        rows.append(
            meta_insight_row(
                raw,
                org_id=org_id,
                level="campaign",
                synced_at=synced,
                reachops_campaign_id=campaign_id,
            )
        )
    return rows


def active_campaign(services: Services, owner: Principal) -> str:
    brand = services.brands.create(owner, BrandCreate(name="Acme"))
    body = {
        "brand_id": brand.brand_id,
        "name": "Spring",
        "budget": 100_000,
        "currency": "EUR",
        "goals": ["conversions"],
        "platforms": ["instagram"],
        "start_date": (TODAY - timedelta(days=40)).isoformat(),
        "end_date": (TODAY + timedelta(days=40)).isoformat(),
        "tracking_config": {"required_hashtags": ["spring"]},
    }
    campaign = services.campaigns.create(
        owner, CampaignCreate.model_validate_json(json.dumps(body))
    )
    services.campaigns.perform(owner, campaign.campaign_id, Action.ACTIVATE)
    return campaign.campaign_id


def test_forecasts_are_stored_listed_replaced_and_scored(app_services: Services) -> None:
    org, key = app_services.orgs.create_org("Forecasting")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    campaign_id = active_campaign(app_services, owner)
    save_insights(app_services.warehouse, spend_rows(org.org_id, campaign_id, range(1, 36)))

    stored = app_services.forecasts.generate(
        owner, ForecastGenerate(campaign_id=campaign_id, horizon_days=7)
    )
    by_metric = {m.metric: m for m in stored.metrics}
    spend = by_metric["spend"]
    assert spend.currency == "EUR"
    assert spend.history_days == 35
    assert [p.day for p in spend.points] == [TODAY + timedelta(days=i) for i in range(7)]
    assert all(0 <= p.lower <= p.predicted <= p.upper for p in spend.points)
    sundays = [p for p in spend.points if p.day.weekday() == 6]
    weekdays = [p for p in spend.points if p.day.weekday() != 6]
    assert sundays[0].predicted < 0.5 * min(p.predicted for p in weekdays)  # zeros were learnt
    assert by_metric["conversions"].currency is None
    assert by_metric["conversions"].points  # Meta's own purchases: nothing tracked
    assert (
        by_metric["revenue"].reason == "nothing was recorded for this scope in the history window"
    )

    page = app_services.forecasts.list(owner, ForecastListQuery(campaign_id=campaign_id))
    assert [f.forecast_id for f in page.items] == [stored.forecast_id]

    # The weekly job, twice in one week: one forecast per campaign and ISO week.
    weekly_id = weekly_forecast_id(campaign_id, TODAY)
    first_run = app_services.forecasts.weekly()
    assert first_run == [f"{org.org_id}/{weekly_id}"]
    assert app_services.forecasts.weekly() == first_run
    kinds = app_services.forecasts.list(owner, ForecastListQuery(kind="weekly")).items
    assert [f.forecast_id for f in kinds] == [weekly_id]
    rows = app_services.warehouse.run(
        "queries/forecast_accuracy.sql",
        {
            "org_id": org.org_id,
            "start_date": TODAY,
            "today": TODAY + timedelta(days=60),
            "campaign_id": campaign_id,
            "channel": None,
            "metric": "spend",
        },
    )
    assert len([r for r in rows if r["forecast_id"] == weekly_id]) == 28


def test_accuracy_scores_complete_days_against_what_happened(app_services: Services) -> None:
    org, key = app_services.orgs.create_org("Accuracy")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    campaign_id = active_campaign(app_services, owner)
    save_insights(app_services.warehouse, spend_rows(org.org_id, campaign_id, range(15, 50)))
    # A forecast made 14 days ago, for the 14 days since: what happened is in the warehouse now.
    past = ForecastService(
        app_services.store,
        app_services.warehouse,
        campaigns=app_services.campaigns,
        paid_planning=app_services.paid_planning,
        max_page_size=50,
        now=lambda: datetime.now(UTC) - timedelta(days=14),
    )
    made = past.generate(
        owner, ForecastGenerate(campaign_id=campaign_id, metrics=["spend"], horizon_days=21)
    )
    save_insights(app_services.warehouse, spend_rows(org.org_id, campaign_id, range(1, 15)))

    reply = app_services.forecasts.accuracy(owner, AccuracyQuery(campaign_id=campaign_id))
    (item,) = reply.items
    assert item.forecast_id == made.forecast_id
    assert item.n_days == 14  # today and later are not complete
    assert item.mape is None
    assert item.mape_reason == "2 of 14 days had an actual of 0, which MAPE divides by"
    assert item.smape is not None
    assert item.smape < 40  # each Sunday (actual 0, forecast a little above) scores 200
    assert item.coverage is not None
    assert item.coverage >= 0.6
    assert item.nominal_level == 0.8
    assert reply.complete_before == TODAY
    assert isinstance(reply.since, date)
