"""The KPIs of a paid row (None on a zero or unknown denominator, with the reason) and the KPI
table's rows: a conversion figure only when every row of the range has one for the window, and
reach only from a range report."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.paid.kpi_table import KpiQuery, campaign_kpis
from shared.paid.kpis import cpa, cpc, cpe, cpm, ctr, kpis_for, roas

SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 28)


def test_kpis_of_a_row() -> None:
    row = {
        "currency": "USD",
        "spend_micros": 50_000_000,
        "impressions": 10_000,
        "clicks": 100,
        "link_clicks": 40,
        "conversions": 4.0,
        "conversion_value_micros": 200_000_000,
        "engagements": 250,
        "reach": 5_000,
        "frequency": None,
    }
    kpis = kpis_for(row)
    assert kpis.cpm == pytest.approx(5.0)
    assert kpis.cpc == pytest.approx(0.5)
    assert kpis.cost_per_link_click == pytest.approx(1.25)
    assert kpis.ctr == pytest.approx(0.01)
    assert kpis.link_ctr == pytest.approx(0.004)
    assert kpis.cpa == pytest.approx(12.5)
    assert kpis.roas == pytest.approx(4.0)
    assert kpis.cpe == pytest.approx(0.2)
    assert kpis.frequency == pytest.approx(2.0)
    assert kpis.unknown == {}


def test_zero_or_unknown_denominators_give_none_with_reasons() -> None:
    kpis = kpis_for({"spend_micros": 0, "impressions": 0, "clicks": None, "conversions": 0.0})
    assert (kpis.cpm, kpis.ctr, kpis.cpc, kpis.cpa, kpis.roas, kpis.cpe) == (None,) * 6
    assert kpis.unknown["cpm"] == "impressions is 0"
    assert kpis.unknown["cpc"] == "clicks not reported"
    assert kpis.unknown["roas"] == "spend_micros is 0"
    assert kpis.unknown["frequency"] == "no frequency reported and reach not reported"


@given(spend=st.integers(0, 10**12) | st.none())
def test_every_kpi_is_none_on_a_zero_denominator(spend: int | None) -> None:
    assert cpm(spend, 0) is None
    assert cpc(spend, 0) is None
    assert cpa(spend, 0.0) is None
    assert cpe(spend, 0) is None
    assert ctr(5, 0) is None
    assert roas(5, 0) is None
    assert cpm(None, 10) is None


def totals(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": "meta",
        "account_id": "123",
        "campaign_id": "c1",
        "campaign_name": "Spring",
        "currency": "EUR",
        "reachops_campaign_id": None,
        "creator_id": None,
        "from_level": "adset",
        "days": 28,
        "rows_summed": 56,
        "rows_with_window": 56,
        "spend_micros": 280_000_000,
        "impressions": 70_000,
        "clicks": 700,
        "link_clicks": 350,
        "conversions": 14.0,
        "conversion_value_micros": 560_000_000,
        "engagements": 1_400,
        "reach": 21_000,
        "frequency": 3.3333,
        "range_synced_at": None,
        "status": "ACTIVE",
        "effective_status": "ACTIVE",
        "objective": "OUTCOME_LEADS",
        "daily_budget_micros": 10_000_000,
        "lifetime_budget_micros": None,
        "bid_strategy": "LOWEST_COST_WITHOUT_CAP",
    }
    return row | changes


def test_a_lead_gen_campaign_summed_from_ad_sets_gets_a_cpa() -> None:
    row = campaign_kpis(totals(conversion_value_micros=None), "7d_click", SINCE, UNTIL)
    assert (row.from_level, row.conversions) == ("adset", 14.0)
    assert row.kpis["cpa"] == pytest.approx(20.0)
    assert row.kpis["roas"] is None
    assert row.unknown["conversion_value_micros"] == (
        "no conversion event of the account was reported under 7d_click"
    )
    assert (row.reach, row.kpis["frequency"]) == (21_000, 3.3333)  # the range report's own


def test_an_incomplete_window_is_unknown_not_a_smaller_sum() -> None:
    row = campaign_kpis(totals(rows_with_window=20), "1d_click", SINCE, UNTIL)
    assert (row.conversions, row.conversion_value_micros, row.kpis["cpa"]) == (None, None, None)
    assert row.unknown["conversions"] == "1d_click figures exist for 20 of 56 rows in the range"


def test_reach_without_a_range_report_is_unknown_with_the_reason() -> None:
    row = campaign_kpis(totals(reach=None, frequency=None), "default", SINCE, UNTIL)
    assert (row.reach, row.frequency) == (None, None)
    assert "no range report stored for 2026-11-01..2026-11-28" in row.unknown["reach"]


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("7d_view", "7d_view is no longer offered: Meta withdrew 7-day view attribution"),
        ("28d_view", "28d_view is no longer offered"),
        ("3d_click", "'3d_click' is not an attribution window; use one of default, 1d_click"),
    ],
)
def test_withdrawn_and_unknown_windows_are_refused_with_the_reason(
    window: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as refused:
        KpiQuery.model_validate({"attribution_window": window})
    assert refused.value.errors()[0]["loc"] == ("attribution_window",)


def test_the_offered_windows_and_default_are_accepted() -> None:
    for window in ("default", "1d_click", "7d_click", "28d_click", "1d_view", "1d_ev"):
        assert KpiQuery.model_validate({"attribution_window": window}).attribution_window == window


def test_a_campaign_whose_settings_were_never_read_says_so() -> None:
    row = campaign_kpis(totals(objective=None, status=None), "default", SINCE, UNTIL)
    assert row.objective is None
    assert "settings" in row.unknown["objective"]
    assert (
        campaign_kpis(totals(), "default", SINCE, UNTIL).bid_strategy == "LOWEST_COST_WITHOUT_CAP"
    )
