"""A backtest (`as_of`): the forecast a person would have got on that day, stored now and scored
by accuracy at once. Its history ends the day before `as_of` (later figures in the warehouse are
not read), so it equals a forecast actually made on that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.forecasting.models import AccuracyQuery, ForecastGenerate
from shared.forecasting.service import ForecastService
from shared.paid import save_insights
from tests.integration.test_forecasts_store import TODAY, active_campaign, spend_rows

pytestmark = pytest.mark.integration


def test_a_backtest_is_the_forecast_of_its_day_and_is_scored_at_once(
    app_services: Services,
) -> None:
    org, key = app_services.orgs.create_org("Backtest")
    owner = Principal(org.org_id, key.key_id, Role.OWNER)
    campaign_id = active_campaign(app_services, owner)
    save_insights(app_services.warehouse, spend_rows(org.org_id, campaign_id, range(1, 50)))
    as_of = TODAY - timedelta(days=14)
    request = ForecastGenerate(
        campaign_id=campaign_id, metrics=["spend"], horizon_days=14, as_of=as_of
    )

    backtest = app_services.forecasts.generate(owner, request)
    (spend,) = backtest.metrics
    assert (backtest.kind, backtest.history_end) == ("on_demand", as_of - timedelta(days=1))
    assert [p.day for p in spend.points] == [as_of + timedelta(days=i) for i in range(14)]
    made_then = ForecastService(
        app_services.store,
        app_services.warehouse,
        campaigns=app_services.campaigns,
        paid_planning=app_services.paid_planning,
        max_page_size=50,
        now=lambda: datetime.now(UTC) - timedelta(days=14),
    ).generate(owner, request.model_copy(update={"as_of": None}))
    assert made_then.metrics[0].points == spend.points  # nothing after as_of was read

    reply = app_services.forecasts.accuracy(owner, AccuracyQuery(campaign_id=campaign_id))
    scored = {item.forecast_id: item for item in reply.items}[backtest.forecast_id]
    assert scored.n_days == 14
    assert scored.smape is not None
    assert scored.smape < 40
    assert scored.coverage is not None
    assert scored.nominal_level == 0.8
