"""The ROI dashboard and campaign reports through the local gateway, over what the public
intake and the server-side conversions API stored in the functions host's own warehouse: the
overview, ROI by campaign and the ordered funnel; the report as a PDF of six titled pages and as
a CSV; a bounded, required range; and another organization sees none of it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pdfplumber
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"
NOW = datetime.now(UTC)
RANGE = {"from": (NOW - timedelta(days=1)).date().isoformat(), "to": NOW.date().isoformat()}


def event(event_id: str, kind: str, visitor: str, minutes_ago: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "event_id": event_id,
        "occurred_at": (NOW - timedelta(minutes=minutes_ago)).isoformat(),
        "visitor_id": visitor,
        "session_id": f"{visitor}-s1",
        "url": f"{ORIGIN}/",
        **extra,
    }


def seed(tenant: Tenant, anonymous: httpx.Client) -> tuple[str, str]:
    admin = tenant[Role.ADMIN]
    brand_id = create_brand(admin)
    campaign_id = create_campaign(admin, brand_id)["campaign_id"]
    site = admin.post(
        "/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    ).json()
    order = {"order_id": "web-1", "value": "40.00", "currency": "EUR"}
    events = [
        event("v1-pv", "page_view", "v1", 10),
        event("v1-cart", "add_to_cart", "v1", 9),
        event("v1-buy", "purchase", "v1", 8, **order),  # no checkout first: not a funnel purchase
        event("v2-pv", "page_view", "v2", 10),
    ]
    sent = anonymous.post(
        "/track/events",
        json={"events": events},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert sent.status_code == 202, sent.text
    assert sent.json()["accepted"] == 4
    sale = {
        "type": "purchase",
        "event_id": "crm-1",
        "occurred_at": (NOW - timedelta(minutes=5)).isoformat(),
        "order_id": "crm-1",
        "value": "100.00",
        "currency": "EUR",
        "campaign_id": campaign_id,
    }
    recorded = tenant[Role.MEMBER].post("/conversions", json=sale)
    assert recorded.status_code in (201, 202), recorded.text
    return brand_id, campaign_id


def test_dashboard_and_reports_through_the_gateway(
    tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    brand_id, campaign_id = seed(tenant, anonymous)
    viewer = tenant[Role.VIEWER]

    overview = viewer.get("/dashboard/overview", params=RANGE)
    assert overview.status_code == 200, overview.text
    total = overview.json()["total"]
    assert total["conversions"] == pytest.approx(2.0)
    (eur,) = total["money"]
    assert eur["currency"] == "EUR"
    assert eur["conversion_value_micros"] == 140_000_000
    assert eur["spend_micros"] is None
    assert eur["unknown"]["roas"].startswith("no spend recorded")

    roi = viewer.get("/dashboard/roi", params={**RANGE, "by": "campaign"}).json()
    mine = next(g for g in roi["groups"] if g["key"] == campaign_id)
    assert mine["conversions"] == pytest.approx(1.0)
    assert mine["money"][0]["conversion_value_micros"] == 100_000_000

    trends = viewer.get("/dashboard/trends", params={**RANGE, "forecast_days": 7})
    assert trends.status_code == 200, trends.text
    assert sum(g["conversions"] or 0 for g in trends.json()["groups"]) == pytest.approx(2.0)
    forecast = trends.json()["forecast"]
    assert forecast["days"] == []  # two days of history are too few to forecast from
    assert forecast["reason"]

    funnel = viewer.get("/dashboard/funnel", params={**RANGE, "brand_id": brand_id})
    assert funnel.status_code == 200, funnel.text
    assert [s["visitors"] for s in funnel.json()["stages"]] == [2, 1, 0, 0]

    pdf = viewer.get(f"/campaigns/{campaign_id}/report.pdf", params=RANGE)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="report-')
    with pdfplumber.open(io.BytesIO(pdf.content)) as document:
        assert len(document.pages) == 6
        assert "Attribution by model" in document.pages[4].extract_text()

    report = viewer.get(f"/campaigns/{campaign_id}/report.csv", params=RANGE)
    assert report.status_code == 200, report.text
    assert report.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(report.text)))
    value = [
        x for x in lines if x["table"] == "summary" and x["field"] == "conversion_value_micros"
    ]
    assert [x["value"] for x in value] == ["100000000"]

    missing = viewer.get("/dashboard/overview", params={"to": RANGE["to"]})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "query.from"
    too_long = viewer.get("/dashboard/roi", params={"from": "2020-01-01", "to": RANGE["to"]})
    assert too_long.status_code == 422

    stranger = other_tenant[Role.VIEWER]
    theirs = stranger.get("/dashboard/overview", params=RANGE).json()["total"]
    assert theirs["conversions"] is None
    assert theirs["money"] == []
    assert stranger.get(f"/campaigns/{campaign_id}/report.pdf", params=RANGE).status_code == 404
    scoped = stranger.get("/dashboard/roi", params={**RANGE, "campaign_id": campaign_id})
    assert scoped.status_code == 404
