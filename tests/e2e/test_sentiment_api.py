"""Sentiment through the local gateway: feedback is scored on its event by the Anthropic
stand-in (each result naming engine and model), a refused text is failed with the reason,
stats and trends add the results up, analyze scores one source now, an exhausted credit pauses
the engine with one alert and bulk-analyze scores what it left through the batch queue, bad
input is a 4xx naming the field, and tenants never see each other's results."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.localstack.stack import StackInfo
from shared.sentiment.pause import PAUSE_PATH
from tests.e2e.conftest import Tenant

pytestmark = pytest.mark.e2e


def results(client: httpx.Client, want: int, timeout: float = 40, **params: str) -> list[Any]:
    """Poll GET /sentiment until it lists `want` results."""
    deadline = time.monotonic() + timeout
    items: list[Any] = []
    while time.monotonic() < deadline:
        response = client.get("/sentiment", params=params)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        if len(items) >= want:
            return items
        time.sleep(0.5)
    raise AssertionError(f"expected {want} sentiment results, found {items}")


def give_feedback(client: httpx.Client, feedback_id: str, text: str) -> None:
    body = {"feedback_id": feedback_id, "scale": "nps_0_10", "rating": 8, "text": text}
    response = client.post("/feedback", json=body)
    assert response.status_code == 201, response.text


def test_feedback_is_scored_on_its_event_and_added_up(tenant: Tenant, other_tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    give_feedback(member, "fb-love", "I love the new jacket")
    give_feedback(member, "fb-late", "Delivery was late twice")
    give_feedback(member, "fb-refuse", "Please refuse to rate this")
    items = {r["source_id"]: r for r in results(tenant[Role.VIEWER], 3)}
    assert {r["engine"] for r in items.values()} == {"anthropic"}
    assert all(r["model"] for r in items.values())
    assert items["fb-love"]["label"] == "positive"
    assert items["fb-late"]["label"] == "negative"
    refused = items["fb-refuse"]
    assert refused["status"] == "failed"
    assert refused["score"] is None
    assert refused["label"] is None
    assert "refusal" in refused["reason"]

    negative = results(tenant[Role.VIEWER], 1, label="negative")
    assert [r["source_id"] for r in negative] == ["fb-late"]
    stats = tenant[Role.VIEWER].get("/sentiment/stats").json()
    assert stats["total"]["results"] == 3
    assert stats["total"]["scored"] == 2
    assert stats["total"]["failed"] == 1
    assert stats["total"]["positive_share"] == 0.5
    assert [s["source_type"] for s in stats["by_source"]] == ["feedback"]
    trends = tenant[Role.VIEWER].get("/sentiment/trends", params={"granularity": "week"})
    assert trends.status_code == 200, trends.text
    assert len(trends.json()["periods"]) == 1
    assert other_tenant[Role.ADMIN].get("/sentiment").json()["items"] == []
    empty = other_tenant[Role.ADMIN].get("/sentiment/stats").json()["total"]
    assert empty["mean_score"] is None
    assert empty["reason"]


def test_analyze_and_bulk_analyze(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    give_feedback(member, "fb-great", "Great fit, great price")
    results(tenant[Role.VIEWER], 1)
    again = member.post(
        "/sentiment/analyze", json={"source_type": "feedback", "source_id": "fb-great"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["label"] == "positive"
    assert again.json()["engine"] == "anthropic"
    missing = member.post(
        "/sentiment/analyze", json={"source_type": "feedback", "source_id": "nope"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "source_id"
    queued = member.post("/sentiment/bulk-analyze", json={})
    assert queued.status_code == 202, queued.text
    assert queued.json()["batch"] is True
    assert tenant[Role.VIEWER].post("/sentiment/bulk-analyze", json={}).status_code == 403


def test_bad_input_names_the_field(tenant: Tenant) -> None:
    viewer = tenant[Role.VIEWER]
    assert viewer.get("/sentiment", params={"label": "happy"}).json()["error"]["field"] == (
        "query.label"
    )
    reversed_range = viewer.get(
        "/sentiment/stats", params={"from": "2026-11-10", "to": "2026-11-01"}
    )
    assert reversed_range.status_code == 422
    assert reversed_range.json()["error"]["field"] == "query.from"
    bad_type = tenant[Role.MEMBER].post(
        "/sentiment/analyze", json={"source_type": "tweet", "source_id": "x"}
    )
    assert bad_type.status_code == 422
    assert bad_type.json()["error"]["field"] == "source_type"


def test_an_exhausted_credit_pauses_alerts_once_and_bulk_scores_the_rest(
    tenant: Tenant, local_stack: StackInfo, app_services: Services
) -> None:
    control = httpx.Client(base_url=local_stack.anthropic_api_url + "/_control", timeout=10)
    control.post("/faults", json={"credit_exhausted": True}).raise_for_status()
    try:
        give_feedback(tenant[Role.MEMBER], "fb-unpaid", "I love it, great service")
        give_feedback(tenant[Role.MEMBER], "fb-unpaid-2", "Terrible service")
        deadline = time.monotonic() + 40
        alerts: list[Any] = []
        while time.monotonic() < deadline:
            feed = tenant[Role.VIEWER].get("/alerts").json()["items"]
            alerts = [a for a in feed if a["kind"] == "sentiment_paused"]
            if alerts:
                break
            time.sleep(0.5)
        assert len(alerts) == 1, alerts
        assert "credit balance is too low" in alerts[0]["message"]
        paused = tenant[Role.MEMBER].post("/sentiment/bulk-analyze", json={})
        assert paused.status_code == 503
    finally:
        control.post("/faults", json={"credit_exhausted": False}).raise_for_status()
    assert tenant[Role.VIEWER].get("/sentiment").json()["items"] == []
    app_services.store.delete(PAUSE_PATH)  # what an operator does once the credit is topped up
    queued = tenant[Role.MEMBER].post("/sentiment/bulk-analyze", json={})
    assert queued.status_code == 202, queued.text
    items = {r["source_id"]: r for r in results(tenant[Role.VIEWER], 2)}
    assert items["fb-unpaid"]["label"] == "positive"
    assert items["fb-unpaid-2"]["label"] == "negative"
    batches = [c for c in control.get("/calls").json()["calls"] if c["endpoint"] == "create_batch"]
    assert batches
