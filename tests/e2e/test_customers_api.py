"""Customers through the local gateway: the profile (identity with the email for admins only,
journey, scores, sentiment, value), the interaction timeline, the at-risk and top-engaged
lists, an unknown person a 404, and a visitor's earlier orders in the profile once the visitor
is linked to the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"


def test_the_profile_and_timeline_of_a_customer(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    posted = member.post(
        "/feedback",
        json={
            "feedback_id": "fb-1",
            "scale": "nps_0_10",
            "rating": 2,
            "text": "Never again, the parcel was lost",
            "email": "dana@example.com",
        },
    )
    assert posted.status_code == 201, posted.text
    person_id = posted.json()["person_id"]
    for score_type in ("engagement", "churn_risk", "nps"):
        assert member.post(f"/scores/calculate/{score_type}").status_code == 200

    admin = tenant[Role.ADMIN].get(f"/customers/{person_id}/profile")
    assert admin.status_code == 200, admin.text
    profile = admin.json()
    assert profile["identity"]["email"] == "dana@example.com"
    assert profile["journey"]["by_event"] == {"feedback": 1}
    assert {s["score_type"] for s in profile["scores"]} == {"engagement", "churn_risk", "nps"}
    assert profile["value"] == {"purchases": 0, "revenue": [], "clv": None}
    assert profile["sentiment"]["scored_feedback"] in (0, 1)

    viewer = tenant[Role.VIEWER].get(f"/customers/{person_id}/profile").json()
    assert viewer["identity"]["email"] is None
    assert viewer["identity"]["email_hidden"] is True

    timeline = tenant[Role.VIEWER].get(f"/customers/{person_id}/interactions").json()
    assert [(i["event"], i["source_id"]) for i in timeline["items"]] == [("feedback", "fb-1")]
    assert timeline["next_cursor"] is None

    at_risk = tenant[Role.VIEWER].get("/customers/at-risk", params={"min_risk": 0}).json()
    assert [s["person_id"] for s in at_risk["items"]] == [person_id]
    breakdown = at_risk["items"][0]["breakdown"]
    assert set(breakdown["components"]) == {"p_alive", "recency", "frequency_trend", "sentiment"}
    assert breakdown["components"]["p_alive"]["risk"] is None  # not a buyer: no model
    assert isinstance(breakdown["reasons"], list)  # sentiment is scored asynchronously
    engaged = tenant[Role.VIEWER].get("/customers/top-engaged").json()
    assert [s["person_id"] for s in engaged["items"]] == [person_id]

    missing = tenant[Role.VIEWER].get("/customers/nobody/profile")
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "path.person_id"
    bad = tenant[Role.VIEWER].get(f"/customers/{person_id}/interactions", params={"limit": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "query.limit"


def test_a_linked_visitors_earlier_orders_are_the_customers_value(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    admin = tenant[Role.ADMIN]
    brand_id = create_brand(admin)
    site = admin.post(
        "/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    ).json()
    at = datetime.now(UTC) - timedelta(hours=3)
    events = [
        {
            "type": "purchase",
            "event_id": f"order-{i}",
            "occurred_at": (at + timedelta(minutes=i)).isoformat(),
            "visitor_id": "visitor-7",
            "order_id": f"o-{i}",
            "value": value,
            "currency": "EUR",
            "url": f"{ORIGIN}/thanks",
        }
        for i, value in enumerate(("40.00", "25.50"))
    ]
    sent = anonymous.post(
        "/track/events",
        json={"events": events},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert sent.status_code == 202, sent.text
    linked = tenant[Role.MEMBER].post(
        "/people/link-person-interactions",
        json={"email": "eve@example.com", "visitor_id": "visitor-7"},
    )
    assert linked.status_code in (200, 201), linked.text
    person_id = linked.json()["person_id"]

    clv = tenant[Role.MEMBER].post("/scores/calculate/clv").json()
    assert clv["persons_scored"] == 0  # one buyer: too few to fit, and the run says why
    assert "customers" in clv["diagnostics"]["reason"]

    profile = tenant[Role.VIEWER].get(f"/customers/{person_id}/profile").json()
    assert profile["value"]["purchases"] == 2
    assert profile["value"]["revenue"] == [{"currency": "EUR", "value_micros": 65_500_000}]
    assert profile["value"]["clv"] is None
    timeline = (
        tenant[Role.VIEWER].get(f"/customers/{person_id}/interactions", params={"limit": 1}).json()
    )
    assert timeline["items"][0]["source_id"] is not None
    rest = (
        tenant[Role.VIEWER]
        .get(
            f"/customers/{person_id}/interactions",
            params={"limit": 1, "cursor": timeline["next_cursor"]},
        )
        .json()
    )
    assert [i["event"] for i in timeline["items"] + rest["items"]] == ["purchase", "purchase"]
    assert rest["items"][0]["occurred_at"] < timeline["items"][0]["occurred_at"]
