"""Conversion goals through the local gateway: written by admins, read by every role, a bad
regex a 422 naming its condition, and a goal created after the events counting them (the
functions host's own warehouse, fed by the public intake)."""

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


def purchase(event_id: str, value: str, path: str) -> dict[str, Any]:
    return {
        "type": "purchase",
        "event_id": event_id,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "order_id": f"order-{event_id}",
        "value": value,
        "currency": "EUR",
        "url": f"{ORIGIN}{path}",
    }


def test_goals_are_written_by_admins_and_count_past_events(
    tenant: Tenant, anonymous: httpx.Client
) -> None:
    brand_id = create_brand(tenant[Role.ADMIN])
    site = (
        tenant[Role.ADMIN]
        .post("/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]})
        .json()
    )
    sent = anonymous.post(
        "/track/events",
        json={"events": [purchase("a", "80.00", "/thank-you"), purchase("b", "15.50", "/cart")]},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["accepted"] == 2

    body = {
        "name": "Big orders",
        "site_id": site["site_id"],
        "event_type": "purchase",
        "conditions": [{"field": "value", "operator": "greater_than", "value": 50}],
    }
    assert tenant[Role.MEMBER].post("/goals", json=body).status_code == 403
    bad = {**body, "conditions": [{"field": "url", "operator": "regex", "value": r"(\w)\1"}]}
    refused = tenant[Role.ADMIN].post("/goals", json=bad)
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "conditions.0.value"
    elsewhere = tenant[Role.ADMIN].post("/goals", json={**body, "site_id": "not-ours"})
    assert elsewhere.status_code == 422
    assert elsewhere.json()["error"]["field"] == "site_id"

    created = tenant[Role.ADMIN].post("/goals", json=body)
    assert created.status_code == 201, created.text
    goal = created.json()
    assert (goal["revision"], goal["value"]["type"]) == (1, "event")
    listed = tenant[Role.VIEWER].get("/goals")
    assert [g["goal_id"] for g in listed.json()["items"]] == [goal["goal_id"]]
    one = tenant[Role.VIEWER].get(f"/goals/{goal['goal_id']}")
    assert one.status_code == 200, one.text
    assert one.json()["matches"]["conversions"] == 1
    assert one.json()["matches"]["value"] == [{"currency": "EUR", "value_micros": 80_000_000}]

    patch = {"conditions": [{"field": "url", "operator": "contains", "value": "/"}]}
    changed = tenant[Role.ADMIN].patch(f"/goals/{goal['goal_id']}", json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    ranged = tenant[Role.VIEWER].get(f"/goals/{goal['goal_id']}", params={"from": since})
    assert ranged.json()["matches"]["conversions"] == 2
    backwards = tenant[Role.VIEWER].get(
        f"/goals/{goal['goal_id']}", params={"from": since, "to": "2020-01-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "query.to"

    assert tenant[Role.VIEWER].delete(f"/goals/{goal['goal_id']}").status_code == 403
    assert tenant[Role.ADMIN].delete(f"/goals/{goal['goal_id']}").status_code == 204
    assert tenant[Role.VIEWER].get(f"/goals/{goal['goal_id']}").status_code == 404
    assert tenant[Role.ADMIN].delete(f"/goals/{goal['goal_id']}").status_code == 204
    assert tenant[Role.ADMIN].delete("/goals/0000000000000000").status_code == 404
    assert tenant[Role.VIEWER].get("/goals").json()["items"] == []
