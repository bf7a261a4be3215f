"""Segments through the local gateway: a visitor's tracked purchases join a person's journey
once linked, a rules segment and an RFM segment calculated in the warehouse find them, members
come in signed-cursor pages, bad criteria are a 422 naming their path with nothing stored, and
roles and tenants hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"
REPEAT_BUYERS = {
    "all": [
        {"event": "purchase", "within_days": 90, "count": {">=": 2}},
        {"event": "purchase", "sum_value": {">": "50"}, "currency": "EUR"},
    ]
}


def purchase(event_id: str, visitor_id: str, value: str, hours_ago: int) -> dict[str, Any]:
    return {
        "type": "purchase",
        "event_id": event_id,
        "occurred_at": (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat(),
        "order_id": f"order-{event_id}",
        "value": value,
        "currency": "EUR",
        "url": f"{ORIGIN}/thank-you",
        "visitor_id": visitor_id,
    }


def shop_with_buyers(tenant: Tenant, anonymous: httpx.Client) -> dict[str, str]:
    """Two visitors, linked to two people: a repeat buyer (3 orders, 90 EUR) and a one-time
    buyer (1 order); a third visitor stays anonymous. person_id by visitor."""
    admin = tenant[Role.ADMIN]
    brand_id = create_brand(admin)
    site = admin.post(
        "/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    ).json()
    events = [
        purchase("a1", "vis-repeat", "30.00", 30),
        purchase("a2", "vis-repeat", "30.00", 20),
        purchase("a3", "vis-repeat", "30.00", 10),
        purchase("b1", "vis-once", "15.00", 5),
        purchase("c1", "vis-anon", "99.00", 5),
    ]
    sent = anonymous.post(
        "/track/events",
        json={"events": events},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert sent.status_code == 202, sent.text
    people = {}
    for visitor, email in (("vis-repeat", "repeat@example.com"), ("vis-once", "once@example.com")):
        linked = tenant[Role.MEMBER].post(
            "/people/link-person-interactions", json={"email": email, "visitor_id": visitor}
        )
        assert linked.status_code in (200, 201), linked.text
        people[visitor] = linked.json()["person_id"]
    return people


def test_segments_find_linked_buyers_in_the_warehouse(
    tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    people = shop_with_buyers(tenant, anonymous)
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]

    bad = {"name": "Bad", "criteria": {"all": [REPEAT_BUYERS, {"field": "age", "op": ">"}]}}
    refused = member.post("/segments", json=bad)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "criteria.all.1.field"
    assert (
        viewer.post("/segments", json={"name": "x", "criteria": REPEAT_BUYERS}).status_code == 403
    )
    assert viewer.get("/segments").json()["items"] == []

    created = member.post("/segments", json={"name": "Repeat buyers", "criteria": REPEAT_BUYERS})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["calculation"] is None
    assert segment["calculation_reason"]
    calculated = member.post(f"/segments/{segment['segment_id']}/calculate")
    assert calculated.status_code == 200, calculated.text
    assert calculated.json()["members"] == 1
    members = viewer.get(f"/segments/{segment['segment_id']}/members").json()
    assert [m["person_id"] for m in members["items"]] == [people["vis-repeat"]]
    assert members["items"][0]["rfm"] is None
    assert viewer.get(f"/segments/{segment['segment_id']}").json()["calculation"]["members"] == 1

    anyone = {"event": "purchase", "count": {">=": 1}}
    widened = member.patch(f"/segments/{segment['segment_id']}", json={"criteria": anyone})
    assert widened.status_code == 200
    assert widened.json()["revision"] == 2
    assert member.post(f"/segments/{segment['segment_id']}/calculate").json()["members"] == 2
    first = viewer.get(f"/segments/{segment['segment_id']}/members", params={"limit": 1}).json()
    assert first["next_cursor"]
    second = viewer.get(
        f"/segments/{segment['segment_id']}/members",
        params={"limit": 1, "cursor": first["next_cursor"]},
    ).json()
    assert {first["items"][0]["person_id"], second["items"][0]["person_id"]} == set(people.values())
    assert second["next_cursor"] is None
    forged = viewer.get(f"/segments/{segment['segment_id']}/members", params={"cursor": "forged"})
    assert forged.status_code == 400
    assert other_tenant[Role.VIEWER].get(f"/segments/{segment['segment_id']}").status_code == 404

    rfm = member.post(
        "/segments", json={"name": "RFM", "kind": "rfm", "rfm": {"currency": "EUR"}}
    ).json()
    assert member.post(f"/segments/{rfm['segment_id']}/calculate").json()["members"] == 2
    scored = viewer.get(f"/segments/{rfm['segment_id']}/members").json()["items"]
    by_person = {m["person_id"]: m["rfm"] for m in scored}
    repeat = by_person[people["vis-repeat"]]
    assert (repeat["purchases"], repeat["monetary_micros"]) == (3, 90_000_000)
    once = by_person[people["vis-once"]]
    # Two customers fill NTILE(5)'s first two tiles: the repeat buyer bought more but less
    # recently (R1 F2), the one-time buyer more recently (R2 F1); both Hibernating on the grid.
    assert (repeat["recency"], repeat["frequency"], repeat["monetary"]) == (1, 2, 2)
    assert (once["recency"], once["frequency"], once["monetary"]) == (2, 1, 1)
    assert {repeat["segment"], once["segment"]} == {"Hibernating"}
    lost = member.patch(
        f"/segments/{rfm['segment_id']}", json={"rfm": {"currency": "EUR", "segment": "Lost"}}
    )
    assert lost.status_code == 200, lost.text
    assert member.post(f"/segments/{rfm['segment_id']}/calculate").json()["members"] == 0

    assert member.delete(f"/segments/{segment['segment_id']}").status_code == 204
    assert viewer.get(f"/segments/{segment['segment_id']}").status_code == 404
    assert member.delete(f"/segments/{segment['segment_id']}").status_code == 204
    assert viewer.get(f"/segments/{segment['segment_id']}/members").status_code == 404
