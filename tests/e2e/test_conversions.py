"""Conversions through the local gateway: a backend's purchase and a CRM's lead (POST, resends,
an order resent with another value, bad input by field), the list, one conversion with its
session, the statistics, and Meta's Lead Ads webhook from handshake to a signed lead that
becomes a conversion of the organization whose synced ad it came from."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually
from tests.e2e.helpers import create_brand, create_campaign, signed
from tests.e2e.test_paid_conversions import EU_ACCOUNT, connect_and_sync, graph
from tests.e2e.test_tracking import ORIGIN, create_site, page_view

pytestmark = pytest.mark.e2e
__all__ = ["graph"]  # a fixture, used by name

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "meta"
WEBHOOK = "/webhooks/meta/leads"


def purchase(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "purchase",
        "event_id": event_id,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "order_id": "order-1001",
        "value": "49.50",
        "currency": "EUR",
        **fields,
    }


def test_server_side_conversions_from_post_to_stats(
    tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    site = create_site(tenant)
    campaign = create_campaign(tenant[Role.MEMBER], create_brand(tenant[Role.ADMIN], "Shop"))
    tracked = anonymous.post(
        "/track/events",
        json={"events": [page_view("pv-1", session_id="s-1", visitor_id="v-1")]},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert tracked.json()["accepted"] == 1, tracked.text
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]
    body = purchase(
        "crm-1",
        site_id=site["site_id"],
        session_id="s-1",
        visitor_id="v-1",
        campaign_id=campaign["campaign_id"],
    )

    created = member.post("/conversions", json=body)
    assert created.status_code == 201, created.text
    again = member.post("/conversions", json=body)
    assert (again.status_code, again.json()) == (200, created.json())
    same_order = member.post("/conversions", json={**body, "event_id": "crm-1-retry"})
    assert (same_order.status_code, same_order.json()) == (200, created.json())
    other_value = member.post("/conversions", json={**body, "event_id": "crm-2", "value": "5"})
    assert other_value.status_code == 409
    assert other_value.json()["error"]["field"] == "order_id"
    lead_at = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    lead = member.post(
        "/conversions",
        json={"type": "lead_form_submission", "event_id": "crm-lead-7", "occurred_at": lead_at},
    )
    assert lead.status_code == 201, lead.text
    assert lead.json()["conversion_id"] == "~crm-lead-7"

    conversion = created.json()
    assert conversion["source"] == "api"
    assert (conversion["value_micros"], conversion["currency"]) == (49_500_000, "EUR")
    assert conversion["campaign_id"] == campaign["campaign_id"]
    detail = viewer.get(f"/conversions/{conversion['conversion_id']}")
    assert detail.status_code == 200, detail.text
    session = detail.json()["session"]
    assert session["landing_url"] == "https://shop.example/?utm_source=ig&fbclid=AbC"
    assert session["page_views"][0]["utm"]["utm_source"] == "ig"
    assert session["page_views"][0]["click_ids"]["fbclid"] == "AbC"
    journey = detail.json()["journey"]  # named its campaign: one touch with all the credit
    assert [(t["channel"], t["campaign_id"]) for t in journey["touches"]] == [
        ("creator", campaign["campaign_id"])
    ]
    assert set(journey["touches"][0]["credit"].values()) == {1.0}
    assert (
        other_tenant[Role.VIEWER].get(f"/conversions/{conversion['conversion_id']}").status_code
        == 404
    )

    listed = viewer.get("/conversions", params={"limit": 1})
    assert listed.status_code == 200, listed.text
    first = listed.json()
    assert [c["conversion_id"] for c in first["items"]] == [conversion["conversion_id"]]
    rest = viewer.get("/conversions", params={"limit": 1, "cursor": first["next_cursor"]})
    assert [c["conversion_id"] for c in rest.json()["items"]] == ["~crm-lead-7"]
    assert rest.json()["next_cursor"] is None
    only = viewer.get("/conversions", params={"type": "lead_form_submission"}).json()["items"]
    assert [c["conversion_id"] for c in only] == ["~crm-lead-7"]
    by_campaign = viewer.get("/conversions", params={"campaign_id": campaign["campaign_id"]})
    assert len(by_campaign.json()["items"]) == 1
    goal = tenant[Role.ADMIN].post(
        "/goals", json={"name": "Leads", "event_type": "lead_form_submission"}
    )
    assert goal.status_code == 201, goal.text
    of_goal = viewer.get("/conversions", params={"goal_id": goal.json()["goal_id"]})
    assert [c["conversion_id"] for c in of_goal.json()["items"]] == ["~crm-lead-7"]

    today = datetime.now(UTC).date()
    stats = viewer.get(
        "/conversions/stats",
        params={"from": (today - timedelta(days=40)).isoformat(), "to": today.isoformat()},
    )
    assert stats.status_code == 200, stats.text
    total = stats.json()["total"]
    assert (total["conversions"], total["sessions"], total["converting_sessions"]) == (2, 1, 1)
    assert total["value"] == [{"currency": "EUR", "value_micros": 49_500_000}]
    by_type = {row["key"]: row for row in stats.json()["by_type"]}
    assert by_type["purchase"]["conversion_rate"] == 1.0
    assert by_type["lead_form_submission"]["conversion_rate"] == 0.0


BAD = [
    ({"site_id": "nosuchsite"}, "site_id"),
    ({"campaign_id": "nosuchcampaign"}, "campaign_id"),
    ({"session_id": "s-1"}, "session_id"),
    ({"occurred_at": "2020-01-01T00:00:00Z"}, "occurred_at"),
    ({"currency": "EURO"}, "currency"),
    ({"type": "page_view"}, "type"),
]


def test_a_bad_conversion_is_a_422_naming_its_field_and_stores_nothing(tenant: Tenant) -> None:
    for change, field in BAD:
        response = tenant[Role.MEMBER].post("/conversions", json=purchase("bad-1", **change))
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == field
    assert tenant[Role.VIEWER].get("/conversions").json()["items"] == []


def test_who_may_send_and_read_conversions(tenant: Tenant) -> None:
    assert tenant[Role.VIEWER].post("/conversions", json=purchase("v-1")).status_code == 403
    as_text = tenant[Role.MEMBER].post(
        "/conversions", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert as_text.status_code == 415
    no_range = tenant[Role.VIEWER].get("/conversions/stats", params={"to": "2026-01-01"})
    assert no_range.status_code == 422
    assert no_range.json()["error"]["field"] == "query.from"
    too_long = {"from": "2024-01-01", "to": "2026-01-01"}
    assert tenant[Role.VIEWER].get("/conversions/stats", params=too_long).status_code == 422
    forged = tenant[Role.VIEWER].get("/conversions", params={"cursor": "forged"})
    assert forged.status_code == 400


def test_a_signed_lead_becomes_a_conversion_of_the_ads_organization(
    tenant: Tenant, anonymous: httpx.Client, local_stack: StackInfo, graph: httpx.Client
) -> None:
    secret = local_stack.local_secret
    handshake = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
    answered = anonymous.get(WEBHOOK, params={**handshake, "hub.verify_token": secret})
    assert (answered.status_code, answered.text) == (200, "1158201444")
    assert answered.headers["Content-Type"].startswith("text/plain")
    refused = anonymous.get(WEBHOOK, params={**handshake, "hub.verify_token": "guess"})
    assert refused.status_code == 403

    body = (CORPUS / "leadgen_single.json").read_bytes()
    forged = anonymous.post(WEBHOOK, content=body, headers=signed(body, "not-the-secret"))
    assert forged.status_code == 401
    unsigned = anonymous.post(WEBHOOK, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401

    connect_and_sync(tenant, EU_ACCOUNT)
    for _ in range(2):  # Meta retries a delivery it thinks failed
        received = anonymous.post(WEBHOOK, content=body, headers=signed(body, secret))
        assert received.status_code == 200, received.text
        assert received.json() == {"queued": 1, "ignored": 0}

    def recorded() -> list[dict[str, Any]] | None:
        found = tenant[Role.VIEWER].get("/conversions", params={"source": "meta_lead_ads"})
        items: list[dict[str, Any]] = found.json()["items"]
        return items or None

    leads = eventually(recorded, "the lead conversion", timeout=30)
    assert [(c["lead_id"], c["ad_id"], c["type"]) for c in leads] == [
        ("900000000000001", "120210000000001511", "lead_form_submission")
    ]
    assert leads[0]["paid_campaign_id"] == "120210000000001500"
    assert "example.invalid" not in json.dumps(leads)
