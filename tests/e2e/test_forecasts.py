"""Forecasts through the local gateway: generate (MEMBER) and list (VIEWER), the accuracy
reply, the weekly job from Cloud Scheduler's identity (a rerun replaces), and bad input as 422s
that name the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e


def run_weekly(local_stack: StackInfo) -> dict[str, Any]:
    answer = httpx.post(
        f"{local_stack.functions_base_url}/forecasts_weekly",
        json={"schedule": "forecast-active-campaigns"},
        headers=local_stack.invoker_headers(SCHEDULER, "forecasts_weekly"),
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def test_generate_list_accuracy_and_the_weekly_job(tenant: Tenant, local_stack: StackInfo) -> None:
    member, viewer = tenant[Role.MEMBER], tenant[Role.VIEWER]
    campaign = create_campaign(member, create_brand(tenant[Role.ADMIN]))
    campaign_id = campaign["campaign_id"]
    assert member.post(f"/campaigns/{campaign_id}/activate").status_code == 200

    body = {"campaign_id": campaign_id, "metrics": ["spend", "conversions"], "horizon_days": 14}
    assert viewer.post("/forecasts/generate", json=body).status_code == 403
    made = member.post("/forecasts/generate", json=body)
    assert made.status_code == 201, made.text
    forecast = made.json()
    assert forecast["kind"] == "on_demand"
    assert forecast["level"] == 0.8
    spend = forecast["metrics"][0]
    assert (spend["metric"], spend["currency"]) == ("spend", "EUR")
    assert spend["total"] is None  # nothing happened yet: no numbers, and why
    assert spend["reason"] == "nothing was recorded for this scope in the history window"

    weekly = run_weekly(local_stack)
    assert run_weekly(local_stack)["forecast_ids"] == weekly["forecast_ids"]
    listed = viewer.get("/forecasts", params={"campaign_id": campaign_id, "limit": 1})
    assert listed.status_code == 200
    first = listed.json()
    assert len(first["items"]) == 1
    rest = viewer.get(
        "/forecasts", params={"campaign_id": campaign_id, "cursor": first["next_cursor"]}
    ).json()
    kinds = sorted(f["kind"] for f in first["items"] + rest["items"])
    assert kinds == ["on_demand", "weekly"]  # the rerun replaced its week's forecast
    assert rest["next_cursor"] is None

    flight = viewer.get(f"/campaigns/{campaign_id}/forecast")  # the same engine, to flight end
    assert flight.status_code == 200, flight.text
    assert flight.json()["forecast"]["spend_micros"]["status"] == "insufficient_data"
    assert flight.json()["forecast"]["spend_micros"]["level"] == 0.8

    accuracy = viewer.get("/forecasts/accuracy", params={"campaign_id": campaign_id})
    assert accuracy.status_code == 200, accuracy.text
    assert accuracy.json()["items"] == []  # no forecast day is complete yet


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"campaign_id": "c1", "horizon_days": 0}, "horizon_days"),
        ({"campaign_id": "c1", "horizon_days": 91}, "horizon_days"),
        ({"campaign_id": "c1", "level": 1.5}, "level"),
        ({"campaign_id": "c1", "metrics": ["likes"]}, "metrics.0"),
        ({"channel": "carrier_pigeon"}, "channel"),
        ({"horizon_days": 7}, "campaign_id"),
        ({"campaign_id": "c1", "metrics": ["spend", "spend"]}, "metrics"),
        ({"channel": "email", "metrics": ["revenue"]}, "currency"),
    ],
)
def test_bad_forecast_requests_are_422_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    answer = tenant[Role.MEMBER].post("/forecasts/generate", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


def test_bad_list_and_accuracy_queries_are_422(tenant: Tenant) -> None:
    viewer = tenant[Role.VIEWER]
    assert viewer.get("/forecasts", params={"cursor": "forged"}).status_code in (400, 422)
    bad = viewer.get("/forecasts/accuracy", params={"metric": "likes"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "query.metric"
    missing = tenant[Role.MEMBER].post("/forecasts/generate", json={"campaign_id": "nope"})
    assert missing.status_code == 404
