"""Attribution through the local gateway: visits from a creator's tracking link and from a paid
UTM, purchases, the daily resolution job from Cloud Scheduler's identity, then GET attribution
and compare (every model credits each purchase once), a manual resolution, and bad input as 4xx
that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"
PAID = "utm_source=facebook&utm_medium=paid_social&utm_campaign=bf_retargeting&fbclid=IwAR0x"


def event(
    kind: str, event_id: str, visitor: str, session: str, ago: timedelta, **fields: Any
) -> dict[str, Any]:
    at = (datetime.now(UTC) - ago).isoformat()
    return {
        "type": kind,
        "event_id": event_id,
        "occurred_at": at,
        "visitor_id": visitor,
        "session_id": session,
        **fields,
    }


def resolve_job(local_stack: StackInfo) -> dict[str, Any]:
    answer = httpx.post(
        f"{local_stack.functions_base_url}/attribution_resolve",
        json={"schedule": "resolve-attribution"},
        headers=local_stack.invoker_headers(SCHEDULER, "attribution_resolve"),
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_tracked_visits_are_attributed_by_every_model(
    tenant: Tenant, anonymous: httpx.Client, local_stack: StackInfo
) -> None:
    admin, member, viewer = tenant[Role.ADMIN], tenant[Role.MEMBER], tenant[Role.VIEWER]
    brand_id = create_brand(admin)
    site = admin.post(
        "/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    ).json()
    tracking = {
        "required_hashtags": ["#AcmeSpring"],
        "tracking_link_pattern": r"shop\.example/anna",
    }
    campaign_id = create_campaign(member, brand_id, tracking_config=tracking)["campaign_id"]
    hour = timedelta(hours=1)
    batch = [
        event("page_view", "p1", "v1", "s1", 3 * hour, url="https://shop.example/anna?ref=ig"),
        event("page_view", "p2", "v1", "s2", 2 * hour, url=f"https://shop.example/?{PAID}"),
        event("purchase", "b1", "v1", "s2", hour, order_id="o1", value="50.00", currency="EUR"),
        event("page_view", "p3", "v2", "s3", 2 * hour, url=f"https://shop.example/?{PAID}"),
        event("purchase", "b2", "v2", "s3", hour, order_id="o2", value="20.00", currency="EUR"),
    ]
    sent = anonymous.post(
        "/track/events", json={"events": batch}, headers={"X-Site-Key": site["site_key"]}
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["accepted"] == 5

    assert resolve_job(local_stack)["sessions_resolved"] >= 1
    today = (datetime.now(UTC) - hour).date().isoformat()
    span = {"from": today, "to": today}
    last = viewer.get("/attribution", params={**span, "by": "channel"})
    assert last.status_code == 200, last.text
    assert (last.json()["model"], last.json()["computed_by"]) == ("last_click", "view")
    assert [(r["channel"], r["conversions"], r["value_micros"]) for r in last.json()["rows"]] == [
        ("paid_social", 2.0, 70_000_000.0)
    ]
    first = viewer.get("/attribution", params={**span, "model": "first_click"}).json()
    assert [(r["campaign_id"], r["conversions"]) for r in first["rows"]] == [
        (campaign_id, 1.0),
        (None, 1.0),
    ]

    compared = viewer.get("/attribution/compare", params=span)
    assert compared.status_code == 200, compared.text
    models = {m["model"]: m for m in compared.json()["models"]}
    assert sorted(models) == sorted(
        ["last_click", "first_click", "linear", "time_decay", "position_based", "data_driven"]
    )
    assert all(m["total_conversions"] == pytest.approx(2.0) for m in models.values())
    assert models["linear"]["rows"][0] == {
        "campaign_id": campaign_id,
        "allocation_id": None,
        "channel": None,
        "currency": "EUR",
        "conversions": 0.5,
        "value_micros": 25_000_000.0,
    }
    engine = viewer.get(
        "/attribution/compare", params={**span, "lookback_days": 1, "half_life_days": 2}
    ).json()
    assert {m["computed_by"] for m in engine["models"]} == {"engine"}
    assert all(m["total_conversions"] == pytest.approx(2.0) for m in engine["models"])

    manual = {"site_id": site["site_id"], "session_id": "s3", "campaign_id": campaign_id}
    assert viewer.post("/attribution/resolve", json=manual).status_code == 403
    missing = member.post("/attribution/resolve", json={**manual, "campaign_id": "nope"})
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "campaign_id"
    resolved = member.post("/attribution/resolve", json=manual)
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["method"], resolved.json()["manual"]) == ("manual", True)
    resolve_job(local_stack)
    after = viewer.get("/attribution", params=span).json()
    assert [(r["campaign_id"], r["conversions"]) for r in after["rows"]] == [
        (campaign_id, 1.0),
        (None, 1.0),
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-02", "to": "2026-11-01"}, "query.to"),
        ({"from": "2024-01-01", "to": "2026-11-01"}, "query.to"),
        ({"from": "2026-11-01", "to": "2026-11-02", "model": "magic"}, "query.model"),
        ({"from": "2026-11-01", "to": "2026-11-02", "lookback_days": 91}, "query.lookback_days"),
        ({"from": "2026-11-01", "to": "2026-11-02", "by": "creator"}, "query.by"),
        ({"to": "2026-11-02"}, "query.from"),
    ],
)
def test_bad_queries_are_422_naming_the_field(
    tenant: Tenant, params: dict[str, Any], field: str
) -> None:
    answer = tenant[Role.VIEWER].get("/attribution", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
