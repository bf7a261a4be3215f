"""The Graph stand-in's objects as Meta shows them: edges leave out archived and deleted
objects unless asked, insights leave out archived and deleted objects at their own level
unless `filtering` asks for them (deleted ones still answer by their own id, and keep
converting after they stop), node metadata (statuses, objectives, budgets, bid strategies,
optimization goals, creatives), and any /vNN.0/ prefix served."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi

from tests.integration.graph_standin_fixtures import (
    EU,
    TODAY,
    US,
    api,
    clock,
    control,
    graph,
    graph_url,
)

pytestmark = pytest.mark.integration
__all__ = ["api", "clock", "control", "graph", "graph_url"]  # fixtures, used by name

ARCHIVED_CAMPAIGN, LEADS_CAMPAIGN = "120210000000001400", "120210000000001500"
DELETED_CAMPAIGN = "120220000000002500"
DELETED_AD = "120210000000001123"
RANGE = {"since": "2026-02-14", "until": "2026-03-15"}  # the 30 days before TODAY


def every_status(level: str) -> list[dict[str, object]]:
    statuses = ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"]
    return [{"field": f"{level}.effective_status", "operator": "IN", "value": statuses}]


def ids(rows: list[dict[str, str]], name: str) -> set[str]:
    return {r[name] for r in rows}


def test_edges_skip_archived_and_deleted_unless_archived_is_asked(api: FacebookAdsApi) -> None:
    account = AdAccount(EU, api=api)

    live = [c["id"] for c in account.get_campaigns(fields=["id"])]
    with_archived = [
        c["id"]
        for c in account.get_campaigns(
            fields=["id"], params={"effective_status": ["ACTIVE", "ARCHIVED", "DELETED"]}
        )
    ]
    ads = [a["id"] for a in AdSet("120210000000001120", api=api).get_ads(fields=["id"])]

    assert ARCHIVED_CAMPAIGN not in live
    assert LEADS_CAMPAIGN in live
    assert ARCHIVED_CAMPAIGN in with_archived  # an edge never lists deleted objects
    assert DELETED_AD not in ads
    assert DELETED_CAMPAIGN not in [c["id"] for c in AdAccount(US, api=api).get_campaigns()]


def test_insights_leave_out_archived_and_deleted_unless_filtered_for(api: FacebookAdsApi) -> None:
    account = AdAccount(US, api=api)
    base = {"level": "campaign", "time_range": RANGE}

    default = [r.export_all_data() for r in account.get_insights(["campaign_id"], base)]
    asked = [
        r.export_all_data()
        for r in account.get_insights(
            ["campaign_id", "spend"], {**base, "filtering": every_status("campaign")}
        )
    ]
    whole = account.get_insights(["spend"], {"time_range": RANGE})[0]

    assert DELETED_CAMPAIGN not in ids(default, "campaign_id")
    assert DELETED_CAMPAIGN in ids(asked, "campaign_id")
    # The account's own row counts everything it spent, deleted campaigns included.
    assert Decimal(whole["spend"]) == sum(Decimal(r["spend"]) for r in asked)


def test_a_deleted_ad_answers_by_its_id_and_converts_after_it_stopped(
    api: FacebookAdsApi, graph: httpx.Client
) -> None:
    params = {"time_range": json.dumps(RANGE), "time_increment": "1", "fields": "spend,actions"}

    rows = graph.get(f"/{DELETED_AD}/insights", params=params).json()["data"]
    at_account = graph.get(f"/{EU}/insights", params={**params, "level": "ad"}).json()["data"]

    assert DELETED_AD not in {r.get("ad_id") for r in at_account}
    stopped = [r for r in rows if Decimal(r["spend"]) == 0]
    assert stopped  # late conversions of earlier clicks, no delivery
    assert all(r["date_start"] > "2026-03-03" for r in stopped)  # after the deletion day
    assert all(r["actions"] for r in stopped)
    assert max(r["date_start"] for r in rows) < str(TODAY)


@pytest.mark.filterwarnings("ignore:ads does not allow field")  # the SDK: no nesting
def test_nodes_carry_statuses_objectives_budgets_and_creatives(api: FacebookAdsApi) -> None:
    fields = ["name", "status", "effective_status", "objective", "daily_budget",
              "lifetime_budget", "bid_strategy"]  # fmt: skip
    archived = Campaign(ARCHIVED_CAMPAIGN, api=api).api_get(fields=fields)
    leads = Campaign(LEADS_CAMPAIGN, api=api).api_get(fields=fields)
    adsets = Campaign("120220000000002200", api=api).get_ad_sets(
        fields=["daily_budget", "bid_strategy", "optimization_goal", "effective_status"]
    )
    ad = AdSet("120220000000002310", api=api).get_ads(fields=["creative{id,thumbnail_url}"])[0]
    (bare,) = Campaign("120220000000002300", api=api).get_ads(fields=["creative{id}"])[:1]

    assert (archived["status"], archived["effective_status"]) == ("ARCHIVED", "ARCHIVED")
    assert archived["lifetime_budget"] == "250000"  # minor units, as a decimal string
    assert "daily_budget" not in archived
    assert (leads["objective"], leads["daily_budget"]) == ("OUTCOME_LEADS", "6000")
    assert {s["optimization_goal"] for s in adsets} == {"POST_ENGAGEMENT"}
    assert all(s["daily_budget"] and s["bid_strategy"] for s in adsets)
    assert set(ad["creative"]) == {"id", "thumbnail_url"}
    assert ad["creative"]["thumbnail_url"].startswith("https://")
    assert set(bare["creative"]) == {"id"}  # only the subfields asked for


def test_children_of_an_archived_campaign_read_as_archived(api: FacebookAdsApi) -> None:
    (adset,) = Campaign(ARCHIVED_CAMPAIGN, api=api).get_ad_sets(
        fields=["status", "effective_status"], params={"effective_status": ["ARCHIVED"]}
    )
    assert (adset["status"], adset["effective_status"]) == ("ACTIVE", "ARCHIVED")


@pytest.mark.parametrize("version", ["v19.0", "v26.0", "v99.0"])
def test_any_version_prefix_is_served_and_echoed(graph_url: str, version: str) -> None:
    answer = httpx.get(f"{graph_url}/{version}/me", params={"access_token": "sample-token-v"})
    bare = httpx.get(f"{graph_url}/me", params={"access_token": "sample-token-v"})

    assert answer.status_code == 200
    assert answer.headers["facebook-api-version"] == version
    assert bare.headers["facebook-api-version"] == "v26.0"  # the pinned SDK's version


def test_unknown_filter_fields_and_statuses_are_refused(graph: httpx.Client) -> None:
    bad_field = [{"field": "campaign.colour", "operator": "IN", "value": ["RED"]}]
    bad_status = [{"field": "ad.effective_status", "operator": "IN", "value": ["GONE"]}]
    for filtering in (bad_field, bad_status):
        answer = graph.get(f"/{EU}/insights", params={"filtering": json.dumps(filtering)})
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == 100
