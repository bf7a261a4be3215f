"""Why a paid KPI is null (read from the KPI functions' own SQL) and the KPI table's rows: the
KPIs the query computed, a conversion figure only when every row of the range has one for the
window, and reach only from a range report."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.paid.kpi_table import KpiQuery, campaign_kpis
from shared.paid.kpis import KpiDefinition, definitions, parse_definitions, unknown_kpis

SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 28)
NO_KPIS = dict.fromkeys(
    ("cpm", "cpc", "cost_per_link_click", "ctr", "link_ctr", "cpa", "roas", "cpe", "frequency")
)


def test_each_kpi_is_read_from_its_sql_function() -> None:
    by_name = {d.name: d for d in definitions()}
    assert set(by_name) == set(NO_KPIS)
    assert by_name["cpm"] == KpiDefinition("cpm", "spend_micros", "impressions", None)
    assert by_name["roas"] == KpiDefinition("roas", "conversion_value_micros", "spend_micros", None)
    assert by_name["frequency"] == KpiDefinition("frequency", "impressions", "reach", "frequency")


def test_a_function_that_is_not_a_safe_ratio_is_refused() -> None:
    with pytest.raises(ValueError, match="SAFE_DIVIDE"):
        parse_definitions(
            "CREATE FUNCTION reachops.kpi_cpm(s INT64, i INT64) RETURNS FLOAT64 AS (s / i);"
        )


def test_zero_or_unknown_inputs_give_the_reason() -> None:
    row = NO_KPIS | {"spend_micros": 0, "impressions": 0, "clicks": None, "conversions": 0.0}
    unknown = unknown_kpis(row)
    assert unknown["cpm"] == "impressions is 0"
    assert unknown["cpc"] == "clicks not reported"
    assert unknown["cpa"] == "conversions is 0"
    assert unknown["roas"] == "spend_micros is 0"
    assert unknown["frequency"] == "no frequency reported and reach not reported"
    assert unknown_kpis(NO_KPIS | {"cpm": 5.0, "impressions": 0}).keys() == NO_KPIS.keys() - {"cpm"}


def test_a_known_denominator_blames_the_numerator() -> None:
    unknown = unknown_kpis(NO_KPIS | {"conversion_value_micros": None, "spend_micros": 10})
    assert unknown["roas"] == "conversion_value_micros not reported"


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
        # As queries/paid_campaign_totals.sql computes them from the figures above.
        "cpm": 4.0,
        "cpc": 0.4,
        "cost_per_link_click": 0.8,
        "ctr": 0.01,
        "link_ctr": 0.005,
        "cpa": 20.0,
        "roas": 2.0,
        "cpe": 0.2,
    }
    return row | changes


def test_a_lead_gen_campaign_summed_from_ad_sets_gets_a_cpa() -> None:
    row = campaign_kpis(totals(conversion_value_micros=None, roas=None), "7d_click", SINCE, UNTIL)
    assert (row.from_level, row.conversions) == ("adset", 14.0)
    assert row.kpis["cpa"] == pytest.approx(20.0)
    assert row.kpis["roas"] is None
    assert row.unknown["roas"] == "conversion_value_micros not reported"
    assert row.unknown["conversion_value_micros"] == (
        "no conversion event of the account was reported under 7d_click"
    )
    assert (row.reach, row.kpis["frequency"]) == (21_000, 3.3333)  # the range report's own


def test_an_incomplete_window_is_unknown_not_a_smaller_sum() -> None:
    incomplete = {"conversions": None, "conversion_value_micros": None, "cpa": None, "roas": None}
    row = campaign_kpis(totals(rows_with_window=20, **incomplete), "1d_click", SINCE, UNTIL)
    assert (row.conversions, row.conversion_value_micros, row.kpis["cpa"]) == (None, None, None)
    assert row.unknown["conversions"] == "1d_click figures exist for 20 of 56 rows in the range"


def test_reach_without_a_range_report_is_unknown_with_the_reason() -> None:
    row = campaign_kpis(totals(reach=None, frequency=None), "default", SINCE, UNTIL)
    assert (row.reach, row.frequency, row.kpis["frequency"]) == (None, None, None)
    assert "no range report stored for 2026-11-01..2026-11-28" in row.unknown["reach"]
    assert row.unknown["frequency"] == row.unknown["reach"]


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
