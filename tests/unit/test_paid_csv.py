"""Ad insights coming in: the CSV import (bad rows are named by line and column and never stop the
good ones), the Meta insights row conversion (unknown stays None), and the KPIs of a row
(None on a zero or unknown denominator)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.paid import AD_INSIGHTS_COLUMNS
from shared.paid.csv_import import CSV_COLUMNS, expected_header, parse_insights_csv
from shared.paid.kpis import (
    PIXEL_PURCHASE,
    MetaRowSettings,
    UnusableMetaRow,
    convert_meta_insight,
    cpa,
    cpc,
    cpe,
    cpm,
    ctr,
    kpis_for,
    meta_insight_row,
    roas,
)

SYNCED = datetime(2026, 11, 21, 6, tzinfo=UTC)
HEADER = ",".join(expected_header())
GOOD_AD = (
    "tiktok_ads,acc1,ad,ad1,Ad one,c1,as1,ad1,rc1,cr1,2026-11-02,USD,"
    "12.34,1000,800,,10,5,1.5,30.00,7,40,30,20,10,,7d_click"
)


def csv(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def parse(text: str) -> Any:
    return parse_insights_csv(text, org_id="o1", synced_at=SYNCED)


# --- CSV import ---------------------------------------------------------------------------------


def test_a_good_row_becomes_a_table_row_with_money_in_micros() -> None:
    result = parse(csv(GOOD_AD))
    assert result.rejected == ()
    (row,) = result.rows
    assert tuple(row) == AD_INSIGHTS_COLUMNS
    assert (row["org_id"], row["source"], row["synced_at"]) == ("o1", "csv", SYNCED)
    assert row["date"] == date(2026, 11, 2)
    assert row["spend_micros"] == 12_340_000
    assert row["conversion_value_micros"] == 30_000_000
    assert (row["impressions"], row["conversions"], row["video_p100"]) == (1000, 1.5, 10)
    assert row["frequency"] is None  # an empty cell is unknown, not 0
    assert row["actions_json"] is None


def test_bad_rows_are_named_by_line_and_column_and_good_rows_still_load() -> None:
    bad_spend = GOOD_AD.replace("ad1,Ad one", "ad2,Ad two").replace("12.34", "12,34", 1)
    text = csv(
        GOOD_AD,
        bad_spend.replace("12,34", '"12,34"'),  # line 3: a comma in a quoted money cell
        GOOD_AD.replace("ad1,Ad one,c1,as1,ad1", 'ad3,"Ad\nthree",c1,as1,ad3').replace(
            "USD", "XXX"
        ),  # lines 4-5: a name over two lines, and an unknown currency
        GOOD_AD.replace(",ad,ad1,", ",campaign,ad4,").replace("c1,as1,ad1", "c1,,"),  # line 6
        GOOD_AD.replace("1000,800", "-5,800").replace("ad1,Ad one", "ad5,Ad five"),  # line 7
        GOOD_AD,  # line 8: a second copy of line 2
        "tiktok_ads,acc1,ad",  # line 9: too few fields
        GOOD_AD.replace("ad1,Ad one", "ad6,Ad six").replace("ad1,rc1", "ad6,rc1"),  # line 10
    )
    result = parse(text)
    assert [row["entity_id"] for row in result.rows] == ["ad1", "ad6"]
    rejected = {r.line: r for r in result.rejected}
    assert sorted(rejected) == [3, 4, 6, 7, 8, 9]
    assert rejected[3].errors[0].column == "spend"
    assert "12,34" in rejected[3].reason
    assert rejected[4].reason == "currency: XXX is not an ISO 4217 code"
    assert rejected[6].errors[0].column == "entity_id"
    assert rejected[6].reason == "entity_id: must equal campaign_id (c1)"
    assert rejected[7].errors[0].column == "impressions"
    assert "duplicate of line 2" in rejected[8].reason
    assert rejected[9].errors[0].column is None
    assert rejected[9].reason == "3 fields, the header has 27"


def test_level_parents_are_checked() -> None:
    no_adset = GOOD_AD.replace("c1,as1,ad1", "c1,,ad1")
    stray_ad = GOOD_AD.replace(",ad,ad1,", ",adset,as1,")
    result = parse(csv(no_adset, stray_ad))
    assert [r.reason for r in result.rejected] == [
        "adset_id: required when level is ad",
        "ad_id: must be empty when level is adset",
    ]


def test_money_can_come_in_micros_and_is_exact() -> None:
    micros_header = ",".join(expected_header(money_in_micros=True))
    assert tuple(micros_header.split(",")) == CSV_COLUMNS
    line = GOOD_AD.replace("12.34", "12340001").replace("30.00", "7")
    (row,) = parse(csv(line, header=micros_header)).rows
    assert (row["spend_micros"], row["conversion_value_micros"]) == (12_340_001, 7)
    (tiny,) = parse(csv(GOOD_AD.replace("12.34", "0.000001"))).rows
    assert tiny["spend_micros"] == 1
    too_fine = parse(csv(GOOD_AD.replace("12.34", "0.0000001")))
    assert too_fine.rejected[0].errors[0].column == "spend"


def test_a_wrong_header_rejects_the_file_on_line_one() -> None:
    both = HEADER.replace("spend,", "spend,spend_micros,")
    result = parse(csv(GOOD_AD, header=both.replace("reach,", "reach_people,")))
    assert result.rows == ()
    (rejection,) = result.rejected
    assert rejection.line == 1
    reasons = {e.column: e.message for e in rejection.errors}
    assert reasons["spend"] == "give spend (major units) or spend_micros, not both"
    assert reasons["reach_people"] == "unknown column"
    assert reasons["reach"] == "missing column"


def test_bad_json_in_actions_is_rejected() -> None:
    line = GOOD_AD[: GOOD_AD.rindex(",,")] + ',"{not json",7d_click'
    assert parse(csv(line)).rejected[0].errors[0].column == "actions_json"
    fine = GOOD_AD[: GOOD_AD.rindex(",,")] + ',"{""actions"": {}}",7d_click'
    assert parse(csv(fine)).rows[0]["actions_json"] == '{"actions": {}}'


@given(spend=st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False))
def test_any_six_decimal_amount_converts_exactly(spend: Any) -> None:
    (row,) = parse(csv(GOOD_AD.replace("12.34", f"{spend:f}"))).rows
    assert row["spend_micros"] == int(spend * 1_000_000)


# --- Meta insights rows ---------------------------------------------------------------------------

META_AD = {
    "account_id": "123",
    "campaign_id": "c1",
    "campaign_name": "Spring",
    "adset_id": "as1",
    "adset_name": "Lookalikes",
    "ad_id": "ad1",
    "ad_name": "Video A",
    "date_start": "2026-11-02",
    "date_stop": "2026-11-02",
    "account_currency": "EUR",
    "spend": "12.34",
    "impressions": "1000",
    "reach": "800",
    "frequency": "1.25",
    "clicks": "20",
    "inline_link_clicks": "15",
    "actions": [
        {"action_type": "link_click", "value": "15", "7d_click": "15", "1d_view": "0"},
        {"action_type": PIXEL_PURCHASE, "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "post_engagement", "value": "40"},
    ],
    "action_values": [{"action_type": "purchase", "value": "99.99", "7d_click": "99.99"}],
    "video_p25_watched_actions": [{"action_type": "video_view", "value": "100"}],
    "video_p100_watched_actions": [{"action_type": "video_view", "value": "12"}],
}


def test_a_meta_row_becomes_a_table_row() -> None:
    result = convert_meta_insight(META_AD, org_id="o1", level="ad", synced_at=SYNCED)
    row = result.row
    assert row is not None
    assert tuple(row) == AD_INSIGHTS_COLUMNS
    assert (row["platform"], row["source"], row["level"], row["entity_id"]) == (
        "meta",
        "meta_api",
        "ad",
        "ad1",
    )
    assert (row["entity_name"], row["campaign_id"], row["adset_id"]) == ("Video A", "c1", "as1")
    assert (row["currency"], row["spend_micros"], row["impressions"]) == ("EUR", 12_340_000, 1000)
    assert row["conversions"] == 3.0  # the pixel purchase, not pixel + generic
    assert row["conversion_value_micros"] == 99_990_000
    assert (row["link_clicks"], row["engagements"]) == (15, 40)
    assert (row["video_p25"], row["video_p100"]) == (100, 12)
    assert row["attribution_windows"] == "7d_click,1d_view"
    assert '"1d_view":"1"' in row["actions_json"]


def test_what_meta_did_not_report_stays_none_with_a_reason() -> None:
    sparse = {k: v for k, v in META_AD.items() if k not in ("reach", "frequency", "action_values")}
    sparse["actions"] = [{"action_type": "link_click", "value": "4"}]
    sparse["impressions"] = "0"
    sparse.pop("inline_link_clicks")
    result = convert_meta_insight(sparse, org_id="o1", level="ad", synced_at=SYNCED)
    row = result.row
    assert row is not None
    for column in ("reach", "frequency", "conversions", "conversion_value_micros", "engagements"):
        assert row[column] is None, column
        assert column in result.unknown
    assert (row["video_p50"], row["video_p75"]) == (None, None)
    assert result.unknown["reach"] == "Meta reported no reach"
    assert result.unknown["engagements"] == "no post_engagement in actions"
    assert row["impressions"] == 0  # reported as 0 is 0
    assert row["link_clicks"] == 4  # from the link_click action
    assert "link_clicks" not in result.unknown


def test_the_generic_purchase_counts_when_the_pixel_one_is_absent() -> None:
    only_generic = {**META_AD, "actions": [{"action_type": "purchase", "value": "2.5"}]}
    row = convert_meta_insight(only_generic, org_id="o1", level="ad", synced_at=SYNCED).row
    assert row is not None
    assert row["conversions"] == 2.5
    two_goals = MetaRowSettings(conversion_action_types=((PIXEL_PURCHASE, "purchase"), ("lead",)))
    with_leads = {
        **META_AD,
        "actions": [*META_AD["actions"], {"action_type": "lead", "value": "4"}],
    }
    summed = convert_meta_insight(
        with_leads, org_id="o1", level="ad", synced_at=SYNCED, settings=two_goals
    )
    assert summed.row is not None
    assert summed.row["conversions"] == 7.0


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ad_id": None}, "missing ad_id"),
        ({"date_stop": "2026-11-03"}, "not a daily row: date_start and date_stop differ"),
        ({"account_currency": None}, "no ISO 4217 account currency (got None)"),
    ],
)
def test_unusable_meta_rows_are_rejected_not_raised(change: dict[str, Any], reason: str) -> None:
    result = convert_meta_insight({**META_AD, **change}, org_id="o1", level="ad", synced_at=SYNCED)
    assert (result.row, result.rejected) == (None, reason)


def test_the_row_function_returns_the_dict_and_raises_on_an_unusable_row() -> None:
    row = meta_insight_row(
        META_AD,
        org_id="o1",
        account_id="123",
        level="ad",
        attribution_windows=["28d_click"],
        synced_at=SYNCED,
    )
    detailed = convert_meta_insight(META_AD, org_id="o1", level="ad", synced_at=SYNCED).row
    assert detailed is not None
    assert row == {**detailed, "attribution_windows": "28d_click"}
    with pytest.raises(UnusableMetaRow, match="missing ad_id"):
        meta_insight_row({**META_AD, "ad_id": ""}, org_id="o1", level="ad", synced_at=SYNCED)


def test_campaign_level_rows_use_the_campaign_as_entity_and_the_account_currency() -> None:
    raw = {k: v for k, v in META_AD.items() if k not in ("account_currency", "adset_id", "ad_id")}
    raw["account_id"] = "act_123"
    result = convert_meta_insight(
        raw, org_id="o1", level="campaign", synced_at=SYNCED, account_currency="USD"
    )
    assert result.row is not None
    assert (result.row["entity_id"], result.row["entity_name"]) == ("c1", "Spring")
    assert (result.row["adset_id"], result.row["ad_id"], result.row["account_id"]) == (
        None,
        None,
        "123",
    )
    assert result.row["currency"] == "USD"


# --- KPIs ---------------------------------------------------------------------------------------


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
