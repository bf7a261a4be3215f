"""Organization settings validate what they store; creator-campaign endpoints keep tenants apart."""

from __future__ import annotations

from typing import Any

import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e

GOOD: dict[str, Any] = {
    "apify_daily_cap_usd_micros": 5_000_000,
    "cpe_thresholds": {
        "default": {"strong_below": 0.4, "underperforming_above": 1.5},
        "tiktok": {"strong_below": 0.2, "underperforming_above": 1.0},
    },
    "emv_rates": {
        "instagram": {"currency": "EUR", "cpm_views_minor": 500, "value_per_engagement_minor": 10}
    },
    "post_refresh_days": 45,
    "comments_per_post": 250,
}


def test_settings_round_trip_and_only_admins_change_them(tenant: Tenant) -> None:
    unset = tenant[Role.VIEWER].get("/settings").json()
    assert unset["post_refresh_days"] == 30  # the default is shown, not hidden
    assert unset["comments_per_post"] == 100
    assert tenant[Role.ADMIN].put("/settings", json=GOOD).status_code == 200
    assert tenant[Role.VIEWER].get("/settings").json() == GOOD
    assert tenant[Role.MEMBER].put("/settings", json=GOOD).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"apify_daily_cap_usd_micros": -1}, "apify_daily_cap_usd_micros"),
        ({"apify_daily_cap_usd_micros": 1.5}, "apify_daily_cap_usd_micros"),
        ({"cpe_thresholds": {"myspace": {"strong_below": 1}}}, "cpe_thresholds.myspace"),
        (
            {"cpe_thresholds": {"default": {"strong_below": 3, "underperforming_above": 1}}},
            "cpe_thresholds.default",
        ),
        (
            {
                "emv_rates": {
                    "tiktok": {
                        "currency": "XYZ",
                        "cpm_views_minor": 1,
                        "value_per_engagement_minor": 1,
                    }
                }
            },
            "emv_rates.tiktok.currency",
        ),
        (
            {
                "emv_rates": {
                    "tiktok": {
                        "currency": "EUR",
                        "cpm_views_minor": 1.5,
                        "value_per_engagement_minor": 1,
                    }
                }
            },
            "emv_rates.tiktok.cpm_views_minor",
        ),
        ({"post_refresh_days": 0}, "post_refresh_days"),
        ({"post_refresh_days": 91}, "post_refresh_days"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_settings_are_named_and_not_stored(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    admin = tenant[Role.ADMIN]
    admin.put("/settings", json=GOOD)
    response = admin.put("/settings", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field
    assert admin.get("/settings").json() == GOOD


def test_another_organizations_campaign_data_is_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = create_campaign(other_tenant[Role.MEMBER], create_brand(other_tenant[Role.ADMIN]))
    path = f"/campaigns/{theirs['campaign_id']}"
    mine = tenant[Role.OWNER]
    for response in [
        mine.get(f"{path}/allocations"),
        mine.get(f"{path}/metrics"),
        mine.get(f"{path}/allocations/x-instagram/metrics"),
        mine.get(f"{path}/allocations/x-instagram/posts"),
        mine.post(f"{path}/allocations/x-instagram/accept"),
        mine.post("/posts/instagram__1/confirm", json={"campaign_id": theirs["campaign_id"]}),
        mine.get("/scrape-jobs/posts-instagram-abc"),
    ]:
        assert response.status_code == 404, response.text


def test_metrics_before_any_post_are_null_with_reasons(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    campaign = create_campaign(member, create_brand(tenant[Role.ADMIN]))
    metrics = member.get(f"/campaigns/{campaign['campaign_id']}/metrics").json()
    assert metrics["posts_count"] == 0
    assert metrics["engagement"] is None
    assert metrics["spend_minor"] is None
    assert set(metrics["unknown"]) >= {"reach", "engagement", "spend_minor"}
