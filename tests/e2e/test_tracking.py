"""Tracking through HTTP, from the local gateway to the warehouse: sites managed by role, the
public intake (CORS preflight, mixed batches, plain 401s, per-key rate limit, a concurrent
burst that loses no accepted event) and the snippet."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.tracking.intake import MAX_BODY_BYTES
from shared.tracking.limits import SITE_EVENTS_PER_MINUTE
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"


def create_site(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    brand_id = create_brand(tenant[Role.ADMIN])
    body = {"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN], **overrides}
    response = tenant[Role.ADMIN].post("/sites", json=body)
    assert response.status_code == 201, response.text
    site: dict[str, Any] = response.json()
    return site


def page_view(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "page_view",
        "event_id": event_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "url": "https://shop.example/?utm_source=ig&fbclid=AbC",
        **fields,
    }


def test_sites_are_written_by_admins_and_read_by_every_role(tenant: Tenant) -> None:
    site = create_site(tenant)
    assert site["site_key"].startswith("rs_pub_")
    brand_id = site["brand_id"]
    body = {"name": "Other", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    assert tenant[Role.MEMBER].post("/sites", json=body).status_code == 403
    listed = tenant[Role.VIEWER].get("/sites")
    assert listed.status_code == 200
    assert [s["site_id"] for s in listed.json()["items"]] == [site["site_id"]]
    assert "site_key" not in listed.json()["items"][0]
    one = tenant[Role.VIEWER].get(f"/sites/{site['site_id']}")
    assert one.json()["site_key_hint"] == site["site_key"][-4:]
    patch = {"consent_required": True}
    assert tenant[Role.MEMBER].patch(f"/sites/{site['site_id']}", json=patch).status_code == 403
    changed = tenant[Role.ADMIN].patch(f"/sites/{site['site_id']}", json=patch)
    assert changed.status_code == 200
    assert changed.json()["consent_required"] is True
    missing = tenant[Role.ADMIN].post("/sites", json={**body, "brand_id": "nope"})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "brand_id"


def test_a_preflight_is_answered_only_for_an_allowed_origin(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    key = create_site(tenant)["site_key"]
    allowed = anonymous.options(
        "/track/events", params={"site_key": key}, headers={"Origin": ORIGIN}
    )
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Site-Key" in allowed.headers["Access-Control-Allow-Headers"]
    denied = anonymous.options(
        "/track/events", params={"site_key": key}, headers={"Origin": "https://evil.example"}
    )
    assert denied.status_code == 403
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_a_mixed_batch_is_a_202_listing_each_rejected_event(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    key = create_site(tenant)["site_key"]
    old = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    events = [page_view("a"), page_view("b", occurred_at=old), page_view("a"), {"type": "x"}]
    reply = anonymous.post(
        "/track/events",
        json={"events": events},
        headers={"X-Site-Key": key, "Origin": ORIGIN},
    )
    assert reply.status_code == 202, reply.text
    assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
    body = reply.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert [(r["index"], r["field"]) for r in body["rejected"]] == [(1, "occurred_at"), (3, "type")]
    # What sendBeacon sends: text/plain JSON with the key in the body. A resend in another
    # request is taken again (no warehouse read per beacon) and counted once by every reader.
    beacon = anonymous.post(
        "/track/events",
        content=json.dumps({"site_key": key, "events": [page_view("a")]}),
        headers={"Content-Type": "text/plain;charset=UTF-8", "Origin": ORIGIN},
    )
    assert beacon.status_code == 202, beacon.text
    assert beacon.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_a_wrong_key_or_origin_says_no_more_than_needed(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    key = create_site(tenant)["site_key"]
    batch = {"events": [page_view("a")]}
    for wrong in ("rs_pub_" + "x" * 32, key[:-1], "ro_abc_def"):
        reply = anonymous.post("/track/events", json=batch, headers={"X-Site-Key": wrong})
        assert reply.status_code == 401
        assert reply.json()["error"]["message"] == "invalid site key"
    evil = anonymous.post(
        "/track/events", json=batch, headers={"X-Site-Key": key, "Origin": "https://evil.example"}
    )
    assert evil.status_code == 403


def test_an_oversized_batch_is_a_413_and_nothing_of_it_is_kept(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    """The oversized purchase claims no order: the same order with another value is new."""
    key = create_site(tenant)["site_key"]
    headers = {"X-Site-Key": key, "Origin": ORIGIN}
    purchase = page_view("p1", type="purchase", order_id="o-1", value=10, currency="EUR")
    padding = {"properties": {"padding": "x" * MAX_BODY_BYTES}}
    big = anonymous.post("/track/events", json={"events": [purchase | padding]}, headers=headers)
    assert big.status_code == 413
    assert big.json()["error"]["code"] == "payload_too_large"
    again = {**purchase, "event_id": "p2", "value": 12}
    reply = anonymous.post("/track/events", json={"events": [again]}, headers=headers)
    assert reply.status_code == 202, reply.text
    assert reply.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_a_site_key_past_its_events_per_minute_is_a_429(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    """Charged per event before anything is checked, so rejected events count too."""
    key = create_site(tenant)["site_key"]
    old = (datetime.now(UTC) - timedelta(days=5)).isoformat()
    batch = {"events": [page_view(f"e{i}", occurred_at=old) for i in range(100)]}
    for _ in range(SITE_EVENTS_PER_MINUTE // 100):
        reply = anonymous.post("/track/events", json=batch, headers={"X-Site-Key": key})
        assert reply.status_code == 202, reply.text
    refused = anonymous.post("/track/events", json=batch, headers={"X-Site-Key": key})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "rate_limited"
    other = create_site(tenant)["site_key"]
    assert (
        anonymous.post("/track/events", json=batch, headers={"X-Site-Key": other}).status_code
        == 202
    )


def test_the_snippet_is_served_verbatim_and_cacheable(anonymous: httpx.Client) -> None:
    reply = anonymous.get("/track/snippet.js")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/javascript")
    assert "max-age" in reply.headers["Cache-Control"]
    for piece in ("sendBeacon", "keepalive", "reachops.consent", "localStorage", "utm_source"):
        assert piece.split(".")[-1] in reply.text, piece


def test_a_burst_of_concurrent_batches_stores_every_accepted_purchase_once(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    """Sixteen clients at once (bounded, loopback): each 202 counts its events, a 429 drops its
    batch whole, and the purchases counted are exactly those accepted; the burst resent, each
    order still counts once."""
    key = create_site(tenant)["site_key"]
    now = datetime.now(UTC).isoformat()
    batches = [
        [
            {
                "type": "purchase",
                "event_id": f"burst-{b}-{i}",
                "order_id": f"order-{b}-{i}",
                "occurred_at": now,
                "value": "10.00",
                "currency": "EUR",
            }
            for i in range(10)
        ]
        for b in range(80)
    ]

    def send(events: list[dict[str, Any]]) -> httpx.Response:
        return anonymous.post(
            "/track/events", json={"events": events}, headers={"X-Site-Key": key, "Origin": ORIGIN}
        )

    landed: set[int] = set()
    for _ in range(2):
        with ThreadPoolExecutor(max_workers=16) as pool:
            replies = list(pool.map(send, batches))
        assert {r.status_code for r in replies} <= {202, 429}, {r.text for r in replies}
        for b, reply in enumerate(replies):
            if reply.status_code == 202:
                assert reply.json() == {"accepted": 10, "duplicates": 0, "rejected": []}
                landed.add(b)
    assert landed
    accepted = 10 * len(landed)
    today = datetime.now(UTC).date()
    stats = tenant[Role.VIEWER].get(
        "/conversions/stats",
        params={"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()},
    )
    assert stats.status_code == 200, stats.text
    total = stats.json()["total"]
    assert total["conversions"] == accepted
    assert total["value"] == [{"currency": "EUR", "value_micros": accepted * 10_000_000}]
