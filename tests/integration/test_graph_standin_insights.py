"""The Graph stand-in's insight figures as Ads Manager counts them: actions under every
alias Meta reports, one figure per requested attribution window (1d_click <= 7d_click <=
28d_click), `value` under each ad set's attribution setting whatever the attribution flags say
(campaigns adding up their ad sets'), as Meta does since June 2025, withdrawn windows
taken but never returned, cost_per_action_type over the same counts, de-duplicated reach over a
range, and breakdowns that add up to the unbroken rows, combined only as Meta lists, and
without reach when a synchronous query starts over 13 months back."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from shared.localstack.graph import load_catalog
from shared.localstack.graph.catalog import EFFECTIVE_STATUSES as STATUSES
from shared.localstack.graph.catalog import setting_windows
from tests.integration.graph_standin_fixtures import EU, US, api, clock, control, graph_url

pytestmark = pytest.mark.integration
__all__ = ["api", "clock", "control", "graph_url"]  # fixtures, used by name

RANGE = {"since": "2026-03-02", "until": "2026-03-15"}
WINDOWS = ["1d_click", "7d_click", "28d_click", "1d_view", "1d_ev"]
ADDITIVE = ("spend", "impressions", "clicks", "reach")


def insights(node: Any, fields: list[str], **params: Any) -> list[dict[str, Any]]:
    return [r.export_all_data() for r in node.get_insights(fields, {"time_range": RANGE, **params})]


def entry(row: dict[str, Any], field: str, action_type: str) -> dict[str, str]:
    found = [a for a in row.get(field, []) if a["action_type"] == action_type]
    return found[0] if found else {}


def figures(action: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in action.items() if k != "action_type"}


def test_each_window_has_its_own_figure_and_value_is_the_ad_sets_setting(
    api: FacebookAdsApi,
) -> None:
    rows = insights(
        AdAccount(EU, api=api), ["adset_id", "actions", "action_values"], level="ad",
        time_increment=1, action_attribution_windows=WINDOWS,
    )  # fmt: skip

    purchases = [entry(r, "actions", "offsite_conversion.fb_pixel_purchase") for r in rows]
    counted = [p for p in purchases if p]
    assert counted
    for row in rows:
        p = entry(row, "actions", "offsite_conversion.fb_pixel_purchase")
        if not p:
            continue
        one, seven, month = (int(p.get(w, 0)) for w in ("1d_click", "7d_click", "28d_click"))
        assert one <= seven <= month
        assert int(p["value"]) == sum(int(p.get(w, 0)) for w in _setting_of(row["adset_id"]))
    assert any(int(p.get("28d_click", 0)) > int(p.get("7d_click", 0)) for p in counted)
    assert any("1d_ev" in p for p in counted)  # engaged views: the video ads
    for row in rows:  # one purchase, reported under each of its aliases
        pixel = figures(entry(row, "actions", "offsite_conversion.fb_pixel_purchase"))
        for alias in ("purchase", "omni_purchase", "onsite_web_purchase"):
            assert figures(entry(row, "actions", alias)) == pixel


def test_conversion_types_follow_the_campaign_objectives(api: FacebookAdsApi) -> None:
    def types(campaign: str) -> set[str]:
        rows = insights(Campaign(campaign, api=api), ["actions"])
        return {a["action_type"] for r in rows for a in r.get("actions", [])}

    leads = types("120210000000001500")  # an instant-form ad set and a website one
    installs, traffic = types("120220000000002300"), types("120220000000002400")

    assert {"lead", "onsite_conversion.lead_grouped", "leadgen_grouped"} <= leads
    assert "offsite_conversion.fb_pixel_lead" in leads
    assert {"mobile_app_install", "app_install", "omni_app_install"} <= installs
    assert {"complete_registration", "offsite_conversion.fb_pixel_complete_registration",
            "offsite_conversion.custom.2381000000000101"} <= traffic  # fmt: skip
    assert "purchase" not in installs | traffic


def test_lead_counts_both_kinds_of_leads(api: FacebookAdsApi) -> None:
    (row,) = insights(Campaign("120210000000001500", api=api), ["actions"])
    total = int(entry(row, "actions", "lead")["value"])
    on_facebook = int(entry(row, "actions", "onsite_conversion.lead_grouped")["value"])
    on_site = int(entry(row, "actions", "offsite_conversion.fb_pixel_lead")["value"])
    assert total == on_facebook + on_site
    assert on_facebook == int(entry(row, "actions", "leadgen_grouped")["value"])


def test_cost_per_action_is_spend_over_the_same_counts(api: FacebookAdsApi) -> None:
    (row,) = insights(
        Campaign("120210000000001100", api=api), ["spend", "actions", "cost_per_action_type"],
        action_attribution_windows=["7d_click", "28d_click"],
    )  # fmt: skip
    count = entry(row, "actions", "purchase")
    cost = entry(row, "cost_per_action_type", "purchase")
    for key in ("value", "7d_click", "28d_click"):
        assert Decimal(cost[key]) == pytest.approx(Decimal(row["spend"]) / int(count[key]))


def _setting_of(adset_id: str) -> tuple[str, ...]:
    return setting_windows(load_catalog().adsets[adset_id]["attribution_spec"])


@pytest.mark.parametrize("account", [EU, US])
def test_value_follows_each_ad_sets_setting_whatever_the_flags(
    api: FacebookAdsApi, account: str
) -> None:
    node = AdAccount(account, api=api)
    every_ad = [{"field": "ad.effective_status", "operator": "IN", "value": sorted(STATUSES)}]
    asked = {"time_increment": 1, "action_attribution_windows": WINDOWS, "filtering": every_ad}
    fields = ["campaign_id", "adset_id", "actions"]
    unified = insights(node, fields, level="ad", use_unified_attribution_setting=True, **asked)
    plain = insights(node, fields, level="ad", **asked)
    settings = {_setting_of(r["adset_id"]) for r in unified}
    assert ("7d_click",) in settings
    assert ("7d_click", "1d_view") in settings  # Meta's default
    assert account == US or ("1d_click",) in settings

    counted = 0
    for with_setting, default in zip(unified, plain, strict=True):
        assert (with_setting["adset_id"], with_setting["date_start"]) == (
            default["adset_id"], default["date_start"],
        )  # fmt: skip
        for action in with_setting.get("actions", []):
            windows = {w: int(action.get(w, 0)) for w in WINDOWS}
            setting = _setting_of(with_setting["adset_id"])
            assert int(action["value"]) == sum(windows[w] for w in setting), action
            counted += 1
        # Meta has disregarded the attribution flags for `value` since 2025-06-10.
        assert with_setting == default
    assert counted

    by_campaign = insights(
        node, fields, level="campaign", use_unified_attribution_setting=True,
        time_increment=1, action_attribution_windows=WINDOWS,
    )  # fmt: skip
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in unified:
        sums[(row["campaign_id"], row["date_start"])] += int(
            entry(row, "actions", "purchase").get("value", 0)
        )
    for row in by_campaign:
        key = (row["campaign_id"], row["date_start"])
        assert int(entry(row, "actions", "purchase").get("value", 0)) == sums[key], key


def test_the_ad_set_setting_is_on_the_ad_set(api: FacebookAdsApi) -> None:
    node = AdAccount(EU, api=api)
    specs = {a["id"]: a["attribution_spec"] for a in node.get_ad_sets(["attribution_spec"])}
    assert specs["120210000000001110"] == [
        {"event_type": "CLICK_THROUGH", "window_days": 7},
        {"event_type": "VIEW_THROUGH", "window_days": 1},
    ]  # Meta's default
    assert specs["120210000000001210"] == [{"event_type": "CLICK_THROUGH", "window_days": 1}]


@pytest.mark.parametrize("window", ["7d_view", "28d_view"])
def test_withdrawn_view_windows_are_taken_and_never_returned(
    api: FacebookAdsApi, window: str
) -> None:
    rows = insights(
        AdAccount(EU, api=api), ["actions"], action_attribution_windows=[window, "7d_click"]
    )
    actions = [a for r in rows for a in r["actions"]]
    assert actions
    assert all(window not in a for a in actions)
    assert any("7d_click" in a for a in actions)


def test_reach_over_a_range_is_deduplicated(api: FacebookAdsApi) -> None:
    account = AdAccount(US, api=api)
    daily = insights(account, ["reach", "impressions"], time_increment=1)
    (whole,) = insights(account, ["reach", "impressions", "frequency"])
    (all_days,) = insights(account, ["reach"], time_increment="all_days")

    assert int(whole["reach"]) < sum(int(r["reach"]) for r in daily)
    assert int(whole["reach"]) == int(all_days["reach"])
    assert int(whole["impressions"]) == sum(int(r["impressions"]) for r in daily)
    assert Decimal(whole["frequency"]) == pytest.approx(
        Decimal(whole["impressions"]) / Decimal(whole["reach"]), rel=Decimal("1e-5")
    )


@pytest.mark.parametrize(
    "breakdowns",
    [
        ["age", "gender"],
        ["country"],
        ["publisher_platform", "platform_position"],
        ["publisher_platform", "platform_position", "impression_device"],
        ["impression_device"],
        ["device_platform"],
    ],
)
def test_breakdowns_add_up_to_the_unbroken_rows(api: FacebookAdsApi, breakdowns: list[str]) -> None:
    fields = ["campaign_id", *ADDITIVE, "actions"]
    base = {"level": "campaign", "time_increment": 1}
    node = AdAccount(EU, api=api)
    whole = {(r["campaign_id"], r["date_start"]): r for r in insights(node, fields, **base)}
    split = insights(node, fields, **base, breakdowns=breakdowns)

    sums: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in split:
        assert set(breakdowns) <= set(row)
        total = sums[(row["campaign_id"], row["date_start"])]
        for name in ADDITIVE:
            total[name] += Decimal(row[name])
        total["purchases"] += Decimal(entry(row, "actions", "purchase").get("value", 0))
    assert sums.keys() == whole.keys()
    for key, row in whole.items():
        for name in ("spend", "impressions", "clicks"):
            assert sums[key][name] == Decimal(row[name]), (key, name)
        assert sums[key]["purchases"] == Decimal(entry(row, "actions", "purchase").get("value", 0))


@pytest.mark.parametrize(
    "breakdowns",
    [
        ["platform_position"],
        ["age", "country"],
        ["gender", "device_platform"],
        ["publisher_platform", "device_platform"],
    ],
)
def test_invalid_breakdown_combinations_are_refused(
    api: FacebookAdsApi, breakdowns: list[str]
) -> None:
    with pytest.raises(FacebookRequestError, match="combination of data breakdown"):
        insights(AdAccount(EU, api=api), ["impressions"], breakdowns=breakdowns)


def test_breakdowns_starting_over_13_months_back_come_without_reach(api: FacebookAdsApi) -> None:
    node = AdAccount(EU, api=api)
    fields = ["campaign_id", "spend", "reach", "frequency"]
    base = {"level": "campaign", "breakdowns": ["country"]}
    recent = insights(node, fields, **base)
    old = [
        r.export_all_data()
        for r in node.get_insights(
            fields, {**base, "time_range": {"since": "2025-02-15", "until": RANGE["until"]}}
        )
    ]
    assert recent
    assert all("reach" in r and "frequency" in r for r in recent)
    assert old
    assert all("spend" in r and "reach" not in r and "frequency" not in r for r in old)
