"""Meta insights rows as typed paid rows: each attribution window's figure from its own key,
conversion events counted once whatever aliases Meta reports them under, defaults that follow
the campaign objective (lead-gen and app campaigns get conversions too), unknown stays None
with a reason, and range rows keep Meta's de-duplicated reach."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.adapters.meta_insights import (
    UnusableMetaRow,
    convert_meta_insight,
    meta_insight_row,
    meta_range_row,
)
from shared.paid import AD_INSIGHTS_COLUMNS

SYNCED = datetime(2026, 11, 21, 6, tzinfo=UTC)
PIXEL_PURCHASE = "offsite_conversion.fb_pixel_purchase"


def entry(action_type: str, value: str, **windows: str) -> dict[str, str]:
    keys = {k.removeprefix("w"): v for k, v in windows.items()}  # w7d_click -> 7d_click
    return {"action_type": action_type, "value": value, **keys}


META_AD: dict[str, Any] = {
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
        entry("link_click", "15", w7d_click="15"),
        entry("omni_purchase", "3", w1d_click="1", w7d_click="2", w1d_view="1"),
        entry(PIXEL_PURCHASE, "3", w1d_click="1", w7d_click="2", w1d_view="1"),
        entry("purchase", "3", w1d_click="1", w7d_click="2", w1d_view="1"),
        entry("onsite_web_purchase", "3", w7d_click="2"),
        entry("post_engagement", "40"),
    ],
    "action_values": [entry("omni_purchase", "99.99", w7d_click="66.66", w1d_view="33.33")],
    "video_p25_watched_actions": [entry("video_view", "100")],
    "video_p100_watched_actions": [entry("video_view", "12")],
}


def convert(raw: dict[str, Any], **kwargs: Any) -> Any:
    return convert_meta_insight(raw, org_id="o1", level="ad", synced_at=SYNCED, **kwargs)


def test_a_meta_row_becomes_a_typed_row_with_every_column() -> None:
    row = convert(META_AD).row
    assert row is not None
    assert tuple(row.daily_columns()) == AD_INSIGHTS_COLUMNS
    assert (row.platform, row.source, row.level, row.entity_id) == ("meta", "meta_api", "ad", "ad1")
    assert (row.entity_name, row.campaign_id, row.adset_id) == ("Video A", "c1", "as1")
    assert (row.currency, row.spend_micros, row.impressions) == ("EUR", 12_340_000, 1000)
    assert (row.link_clicks, row.engagements, row.video_p25, row.video_p100) == (15, 40, 100, 12)
    assert row.attribution_windows == "7d_click,1d_view"
    assert row.actions_json is not None
    assert '"1d_view":"1"' in row.actions_json


def test_aliases_of_one_purchase_count_once() -> None:
    row = convert(META_AD).row
    assert row is not None
    assert row.conversions == 3.0  # not omni + pixel + generic + onsite = 12
    assert row.conversion_value_micros == 99_990_000
    (click, _view) = row.windows
    assert click.counted_action_types == ("omni_purchase",)
    only_pixel = {**META_AD, "actions": [entry(PIXEL_PURCHASE, "2.5", w7d_click="2")]}
    pixel_row = convert(only_pixel).row
    assert pixel_row is not None
    assert pixel_row.conversions == 2.5


def test_each_window_comes_from_its_own_key_never_from_value() -> None:
    row = convert(META_AD, attribution_windows=["1d_click", "7d_click", "1d_view"]).row
    assert row is not None
    figures = {w.attribution_window: w for w in row.windows}
    assert set(figures) == {"1d_click", "7d_click", "1d_view"}
    assert figures["1d_click"].conversions == 1.0  # value (3) is the default window's only
    assert figures["7d_click"].conversions == 2.0
    assert figures["1d_view"].conversions == 1.0
    assert figures["7d_click"].conversion_value_micros == 66_660_000
    assert figures["1d_click"].conversion_value_micros is None  # Meta gave no 1d_click value
    stored = {r["attribution_window"]: r for r in row.window_rows()}
    assert stored["1d_click"]["conversions"] == 1.0
    assert stored["1d_click"]["conversion_events"] == "purchase"
    assert "default" not in stored  # the default window is the daily row's own figure


def test_a_window_meta_left_out_is_unknown_with_a_reason() -> None:
    result = convert(META_AD, attribution_windows=["28d_click"])
    assert result.row is not None
    (window,) = result.row.windows
    assert (window.attribution_window, window.conversions) == ("28d_click", None)
    assert result.unknown["28d_click.conversions"].startswith("no 28d_click figure for any of")


@pytest.mark.parametrize(
    ("objective", "actions", "expected"),
    [
        ("OUTCOME_LEADS", [entry("onsite_conversion.lead_grouped", "4", w7d_click="4")], 4.0),
        (
            "OUTCOME_LEADS",
            [
                entry("lead", "5"),
                entry("leadgen_grouped", "5"),
                entry("complete_registration", "2"),
            ],
            5.0,  # the lead once; registrations count only when the account names them
        ),
        ("LEAD_GENERATION", [entry("offsite_conversion.fb_pixel_lead", "3")], 3.0),
        (
            "OUTCOME_APP_PROMOTION",
            [entry("mobile_app_install", "9"), entry("app_install", "9")],
            9.0,
        ),
        ("OUTCOME_SALES", [entry("lead", "5")], None),
    ],
)
def test_defaults_follow_the_campaign_objective(
    objective: str, actions: list[dict[str, str]], expected: float | None
) -> None:
    row = convert({**META_AD, "objective": objective, "actions": actions}).row
    assert row is not None
    assert row.conversions == expected


def test_the_account_s_own_events_win_including_custom_conversions() -> None:
    custom = "offsite_conversion.custom.2468"
    raw = {
        **META_AD,
        "objective": "OUTCOME_SALES",
        "actions": [*META_AD["actions"], entry(custom, "6", w7d_click="5"), entry("lead", "2")],
        "action_values": [entry(custom, "60.00")],
    }
    row = convert(raw, conversion_events=["custom:2468", "lead"], value_events=["custom:2468"]).row
    assert row is not None
    assert row.conversions == 8.0
    assert row.conversion_value_micros == 60_000_000
    assert row.conversion_events == ("custom:2468", "lead")
    assert row.windows[0].conversions == 5.0  # 7d_click: the custom key; lead has none


def test_what_meta_did_not_report_stays_none_with_a_reason() -> None:
    sparse = {k: v for k, v in META_AD.items() if k not in ("reach", "frequency", "action_values")}
    sparse |= {"actions": [entry("link_click", "4")], "impressions": "0"}
    sparse.pop("inline_link_clicks")
    result = convert(sparse)
    row = result.row
    assert row is not None
    for column in ("reach", "frequency", "conversions", "conversion_value_micros", "engagements"):
        assert getattr(row, column) is None, column
        assert column in result.unknown
    assert (row.video_p50, row.video_p75) == (None, None)
    assert result.unknown["reach"] == "Meta reported no reach"
    assert row.impressions == 0  # reported as 0 is 0
    assert row.link_clicks == 4  # from the link_click action
    assert "link_clicks" not in result.unknown


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"ad_id": None}, "missing ad_id"),
        ({"date_stop": "2026-11-03"}, "not a daily row: date_start and date_stop differ"),
        ({"account_currency": None}, "no ISO 4217 account currency (got None)"),
    ],
)
def test_unusable_meta_rows_are_rejected_not_raised(change: dict[str, Any], reason: str) -> None:
    result = convert({**META_AD, **change})
    assert (result.row, result.rejected) == (None, reason)
    with pytest.raises(UnusableMetaRow, match=reason.split(" (", maxsplit=1)[0]):
        meta_insight_row({**META_AD, **change}, org_id="o1", level="ad", synced_at=SYNCED)


def test_campaign_level_rows_use_the_campaign_and_the_account_currency() -> None:
    raw = {k: v for k, v in META_AD.items() if k not in ("account_currency", "adset_id", "ad_id")}
    row = meta_insight_row(
        {**raw, "account_id": "act_123"},
        org_id="o1",
        level="campaign",
        synced_at=SYNCED,
        account_currency="USD",
    )
    assert (row.entity_id, row.entity_name, row.adset_id, row.ad_id) == ("c1", "Spring", None, None)
    assert (row.account_id, row.currency) == ("123", "USD")


def test_a_range_row_keeps_meta_s_deduplicated_reach() -> None:
    raw = {
        "account_id": "act_123",
        "campaign_id": "c1",
        "campaign_name": "Spring",
        "date_start": "2026-11-01",
        "date_stop": "2026-11-28",
        "spend": "300.00",
        "impressions": "30000",
        "reach": "9000",
        "frequency": "3.3333",
    }
    row = meta_range_row(
        raw, org_id="o1", level="campaign", synced_at=SYNCED, account_currency="EUR"
    )
    assert (row.since, row.until) == (date(2026, 11, 1), date(2026, 11, 28))
    assert (row.reach, row.frequency, row.spend_micros) == (9000, 3.3333, 300_000_000)
    with pytest.raises(UnusableMetaRow, match="missing date_stop"):
        meta_range_row({**raw, "date_stop": None}, org_id="o1", level="campaign", synced_at=SYNCED)
