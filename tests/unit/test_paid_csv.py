"""Ad insights coming in by CSV: bad rows are named by line and column and never stop the good
ones. (Meta rows: tests/unit/test_meta_insights.py; KPIs: tests/unit/test_paid_kpis.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared.paid import AD_INSIGHTS_COLUMNS
from shared.paid.csv_import import CSV_COLUMNS, expected_header, parse_insights_csv

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
