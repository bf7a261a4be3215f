"""An experiment from assignment to verdict through the local gateway: visitors assigned by
site key, their exposures and purchases sent as tracking events, the hourly job run from Cloud
Scheduler's identity (twice: the same hour is the same run), and the results read back: the
variant that converts three times as often wins, the split passes the SRM check, and an
experiment whose exposures all landed in one variant is flagged untrustworthy."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.test_experiments_api import ORIGIN, assign, make_goal, make_site

pytestmark = pytest.mark.e2e

VISITORS = 300


def run_hourly(local_stack: StackInfo) -> dict[str, Any]:
    answer = httpx.post(
        f"{local_stack.functions_base_url}/experiments_hourly",
        json={"schedule": "recompute-experiments"},
        headers=local_stack.invoker_headers(SCHEDULER, "experiments_hourly"),
        timeout=120,
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def started(tenant: Tenant, site_id: str, goal_id: str, name: str) -> str:
    body = {
        "name": name,
        "site_id": site_id,
        "variants": [
            {"variant_id": "control", "name": "Current page", "weight": 1},
            {"variant_id": "benefit", "name": "Benefit-led page", "weight": 1},
        ],
        "metrics": [
            {"metric_id": "purchase", "role": "goal", "kind": "binomial", "goal_id": goal_id},
            {"metric_id": "rpv", "role": "secondary", "kind": "mean", "currency": "EUR"},
        ],
        "mde": 0.1,
        "settings": {"min_users": 50},
    }
    created = tenant[Role.MEMBER].post("/experiments", json=body)
    assert created.status_code == 201, created.text
    experiment_id = str(created.json()["experiment_id"])
    assert tenant[Role.MEMBER].post(f"/experiments/{experiment_id}/start").status_code == 200
    return experiment_id


def exposure(experiment_id: str, visitor: str, variant: str, at: str) -> dict[str, Any]:
    return {
        "type": "experiment_viewed",
        "event_id": f"x-{experiment_id}-{visitor}",
        "occurred_at": at,
        "visitor_id": visitor,
        "experiment_id": experiment_id,
        "variation_id": variant,
    }


def purchase(visitor: str, at: str) -> dict[str, Any]:
    return {
        "type": "purchase",
        "event_id": f"p-{visitor}",
        "occurred_at": at,
        "visitor_id": visitor,
        "order_id": f"o-{visitor}",
        "value": "40.00",
        "currency": "EUR",
    }


def send(anonymous: httpx.Client, site_key: str, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 100):
        sent = anonymous.post(
            "/track/events",
            json={"events": events[start : start + 100]},
            headers={"X-Site-Key": site_key, "Origin": ORIGIN},
        )
        assert sent.status_code == 202, sent.text


def test_assignment_to_verdict_with_the_srm_check(
    tenant: Tenant, anonymous: httpx.Client, local_stack: StackInfo
) -> None:
    site = make_site(tenant)
    goal_id = make_goal(tenant, site["site_id"])
    fair = started(tenant, site["site_id"], goal_id, "Landing page")
    skewed = started(tenant, site["site_id"], goal_id, "Landing page (broken tracking)")
    before = tenant[Role.VIEWER].get(f"/experiments/{fair}/results")
    assert before.status_code == 200, before.text
    assert before.json()["run_at"] is None
    assert before.json()["reason"]

    at = datetime.now(UTC).isoformat()
    events: list[dict[str, Any]] = []
    for n in range(VISITORS):
        visitor = f"visitor-{n}"
        assigned = assign(anonymous, fair, site["site_key"], visitor)
        assert assigned.status_code == 200, assigned.text
        variant = assigned.json()["variant_id"]
        events.append(exposure(fair, visitor, variant, at))
        events.append(exposure(skewed, visitor, "benefit" if n % 10 else "control", at))
        if n % (3 if variant == "benefit" else 10) == 0:
            events.append(purchase(visitor, at))
    send(anonymous, site["site_key"], events)

    first = run_hourly(local_stack)
    assert first["experiments"] >= 2
    assert run_hourly(local_stack)["run_at"] == first["run_at"]

    reply = tenant[Role.VIEWER].get(f"/experiments/{fair}/results")
    assert reply.status_code == 200, reply.text
    results = reply.json()
    assert results["run_at"] is not None
    assert results["trustworthy"] is True
    assert results["srm"]["flagged"] is False
    assert sum(v["users"] for v in results["srm"]["variants"]) == VISITORS
    goal = next(m for m in results["metrics"] if m["metric_id"] == "purchase")
    control, benefit = goal["variants"]
    assert (control["variant_id"], benefit["variant_id"]) == ("control", "benefit")
    assert benefit["mean"] > control["mean"]
    assert benefit["lift"] > 0
    assert benefit["p_value"] < 0.05
    assert benefit["chance_to_win"] > 0.95
    assert goal["verdict"]["code"] == "variant_wins", goal["verdict"]

    untrusted = tenant[Role.VIEWER].get(f"/experiments/{skewed}/results").json()
    assert untrusted["srm"]["flagged"] is True
    assert untrusted["trustworthy"] is False
    assert untrusted["srm"]["p_value"] < 0.001
    assert [v["users"] for v in untrusted["srm"]["variants"]] == [30, 270]

    earlier = tenant[Role.VIEWER].get(
        f"/experiments/{fair}/results", params={"at": "2000-01-01T00:00:00Z"}
    )
    assert earlier.status_code == 200
    assert earlier.json()["run_at"] is None
    assert tenant[Role.VIEWER].get(f"/experiments/{fair}/results?at=soon").status_code == 422
