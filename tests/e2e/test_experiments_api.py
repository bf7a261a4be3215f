"""Experiments through the local gateway: drafts written by members and read by every role,
started and stopped once, the split frozen once running, every bad input a 4xx naming its
field with nothing changed, tenants apart, and public assignment by site key: GrowthBook's
bucket, the same variant for a visitor every time, none for a draft or stopped experiment."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.experiments.assignment import bucket
from shared.experiments.models import Experiment
from shared.experiments.stats import required_sample_size
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"


def make_site(tenant: Tenant) -> dict[str, Any]:
    brand_id = create_brand(tenant[Role.ADMIN])
    body = {"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]}
    site: dict[str, Any] = tenant[Role.ADMIN].post("/sites", json=body).json()
    return site


def make_goal(tenant: Tenant, site_id: str | None) -> str:
    body = {"name": "Purchases", "site_id": site_id, "event_type": "purchase"}
    reply = tenant[Role.ADMIN].post("/goals", json=body)
    assert reply.status_code == 201, reply.text
    return str(reply.json()["goal_id"])


def definition(site_id: str, goal_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Landing page headline",
        "site_id": site_id,
        "hypothesis": "A benefit-led headline converts more visitors",
        "variants": [
            {"variant_id": "control", "name": "Current", "weight": 50},
            {"variant_id": "benefit", "name": "Benefit-led", "weight": 50},
        ],
        "metrics": [
            {"metric_id": "purchase", "role": "goal", "kind": "binomial", "goal_id": goal_id},
            {"metric_id": "rpv", "role": "secondary", "kind": "mean", "currency": "EUR"},
            {
                "metric_id": "bounce",
                "role": "guardrail",
                "kind": "ratio",
                "numerator": {"event_type": "page_engagement", "aggregate": "count"},
                "denominator": {"event_type": "page_view", "aggregate": "count"},
                "direction": "decrease_is_bad",
            },
        ],
        "mde": 0.05,
        "planned_sample_size": 20000,
        **overrides,
    }


def assign(
    anonymous: httpx.Client, experiment_id: str, site_key: str, visitor: str
) -> httpx.Response:
    return anonymous.post(
        f"/experiments/{experiment_id}/assign",
        json={"visitor_id": visitor},
        headers={"X-Site-Key": site_key, "Origin": ORIGIN},
    )


def test_the_lifecycle_runs_once_and_freezes_the_split(tenant: Tenant) -> None:
    site = make_site(tenant)
    body = definition(site["site_id"], make_goal(tenant, site["site_id"]))
    assert tenant[Role.VIEWER].post("/experiments", json=body).status_code == 403
    created = tenant[Role.MEMBER].post("/experiments", json=body)
    assert created.status_code == 201, created.text
    experiment = created.json()
    experiment_id = experiment["experiment_id"]
    assert experiment["status"] == "draft"
    assert experiment["seed"] == experiment_id
    assert experiment["hash_version"] == 2
    assert experiment["metrics"][1]["event_type"] == "purchase"
    assert experiment["settings"]["alpha"] == 0.05

    viewer = tenant[Role.VIEWER]
    assert viewer.get(f"/experiments/{experiment_id}").json() == experiment
    assert [e["experiment_id"] for e in viewer.get("/experiments").json()["items"]] == [
        experiment_id
    ]
    assert viewer.post(f"/experiments/{experiment_id}/start").status_code == 403

    member = tenant[Role.MEMBER]
    draft_change = member.patch(
        f"/experiments/{experiment_id}",
        json={"variants": [{**v, "weight": 25 + 50 * i} for i, v in enumerate(body["variants"])]},
    )
    assert draft_change.status_code == 200, draft_change.text
    assert draft_change.json()["revision"] == 2
    assert member.post(f"/experiments/{experiment_id}/stop").status_code == 409

    started = member.post(f"/experiments/{experiment_id}/start")
    assert started.status_code == 200, started.text
    running = started.json()
    assert running["status"] == "running"
    assert running["started_at"] is not None
    assert member.post(f"/experiments/{experiment_id}/start").json() == running
    assert viewer.get("/experiments", params={"status": "running"}).json()["items"] == [running]

    frozen = running["variants"]
    for variants in (
        [{**frozen[0], "weight": 10}, frozen[1]],  # a weight changed
        [*frozen[:1], {"variant_id": "third", "name": "Third", "weight": 1}],  # one replaced
        [*frozen, {"variant_id": "third", "name": "Third", "weight": 1}],  # one added
    ):
        refused = member.patch(f"/experiments/{experiment_id}", json={"variants": variants})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["field"] == "variants"
    removed = member.patch(f"/experiments/{experiment_id}", json={"variants": frozen[:1]})
    assert removed.status_code == 422  # a single variant is no experiment at all
    assert removed.json()["error"]["field"] == "variants"
    assert viewer.get(f"/experiments/{experiment_id}").json() == running

    renamed = member.patch(
        f"/experiments/{experiment_id}", json={"name": "Headline test", "variants": frozen}
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Headline test"
    assert renamed.json()["variants"] == frozen

    stopped = member.post(f"/experiments/{experiment_id}/stop").json()
    assert stopped["status"] == "stopped"
    assert stopped["stopped_at"] is not None
    assert member.post(f"/experiments/{experiment_id}/stop").json() == stopped
    restart = member.post(f"/experiments/{experiment_id}/start")
    assert restart.status_code == 409
    assert restart.json()["error"]["field"] == "status"


def test_bad_input_is_a_4xx_naming_the_field_and_nothing_changes(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    site = make_site(tenant)
    goal_id = make_goal(tenant, site["site_id"])
    other_site = make_site(other_tenant)
    foreign_goal = make_goal(other_tenant, None)
    other_sites_goal = make_goal(tenant, make_site(tenant)["site_id"])
    body = definition(site["site_id"], goal_id)
    metric = body["metrics"][0]
    member = tenant[Role.MEMBER]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"variants": [{**v, "weight": 0} for v in body["variants"]]}, "variants"),
        ({"metrics": [{**metric, "goal_id": "no-such-goal"}]}, "metrics.0.goal_id"),
        ({"metrics": [{**metric, "goal_id": foreign_goal}]}, "metrics.0.goal_id"),
        ({"metrics": [{**metric, "goal_id": other_sites_goal}]}, "metrics.0.goal_id"),
        ({"metrics": [{**metric, "kind": "percentile"}]}, "metrics.0.kind"),
        ({"site_id": other_site["site_id"]}, "site_id"),
        ({"mde": -1}, "mde"),
    ]
    for overrides, field in cases:
        refused = member.post("/experiments", json={**body, **overrides})
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"]["field"] == field
    assert member.get("/experiments").json()["items"] == []

    experiment = member.post("/experiments", json=body).json()
    path = f"/experiments/{experiment['experiment_id']}"
    for patch, field in cases[:5]:
        refused = member.patch(path, json=patch)
        assert refused.status_code == 422, (field, refused.text)
        assert refused.json()["error"]["field"] == field
    assert member.patch(path, json={"name": None}).json()["error"]["field"] == "name"
    assert member.get(path).json() == experiment


def test_another_organization_sees_none_of_it(tenant: Tenant, other_tenant: Tenant) -> None:
    site = make_site(tenant)
    body = definition(site["site_id"], make_goal(tenant, site["site_id"]))
    experiment_id = tenant[Role.MEMBER].post("/experiments", json=body).json()["experiment_id"]
    stranger = other_tenant[Role.OWNER]
    assert stranger.get(f"/experiments/{experiment_id}").status_code == 404
    assert stranger.patch(f"/experiments/{experiment_id}", json={}).status_code == 404
    assert stranger.post(f"/experiments/{experiment_id}/start").status_code == 404
    assert stranger.get("/experiments").json()["items"] == []
    assert tenant[Role.VIEWER].get(f"/experiments/{experiment_id}").json()["status"] == "draft"


def test_assignment_is_growthbooks_bucket_and_sticks(
    tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    site = make_site(tenant)
    body = definition(site["site_id"], make_goal(tenant, site["site_id"]))
    member = tenant[Role.MEMBER]
    experiment = member.post("/experiments", json=body).json()
    experiment_id = experiment["experiment_id"]
    key = site["site_key"]

    draft = assign(anonymous, experiment_id, key, "visitor-1")
    assert draft.status_code == 409
    assert draft.json()["error"]["field"] == "experiment_id"

    running = Experiment.model_validate(member.post(f"/experiments/{experiment_id}/start").json())
    seen: dict[str, str] = {}
    for i in range(40):
        visitor = f"visitor-{i}"
        reply = assign(anonymous, experiment_id, key, visitor)
        assert reply.status_code == 200, reply.text
        assert reply.headers["Access-Control-Allow-Origin"] == ORIGIN
        index, _ = bucket(running, visitor)
        assert reply.json() == {
            "experiment_id": experiment_id,
            "variant_id": body["variants"][index]["variant_id"],
            "variant_index": index,
            "hash_seed": experiment_id,
            "in_experiment": True,
        }
        seen[visitor] = reply.json()["variant_id"]
    assert set(seen.values()) == {"control", "benefit"}
    again = {v: assign(anonymous, experiment_id, key, v).json()["variant_id"] for v in seen}
    assert again == seen
    as_the_snippet_sends = anonymous.post(  # text/plain, the key in the body: no preflight
        f"/experiments/{experiment_id}/assign",
        content=json.dumps({"site_key": key, "visitor_id": "visitor-3"}),
        headers={"Content-Type": "text/plain", "Origin": ORIGIN},
    )
    assert as_the_snippet_sends.json()["variant_id"] == seen["visitor-3"]

    no_key = anonymous.post(f"/experiments/{experiment_id}/assign", json={"visitor_id": "x"})
    assert no_key.status_code == 401
    other_key = make_site(tenant)["site_key"]
    assert assign(anonymous, experiment_id, other_key, "visitor-1").status_code == 404
    stranger_key = make_site(other_tenant)["site_key"]
    assert assign(anonymous, experiment_id, stranger_key, "visitor-1").status_code == 404
    foreign_origin = anonymous.post(
        f"/experiments/{experiment_id}/assign",
        json={"visitor_id": "visitor-1"},
        headers={"X-Site-Key": key, "Origin": "https://evil.example"},
    )
    assert foreign_origin.status_code == 403
    empty = assign(anonymous, experiment_id, key, "")
    assert empty.status_code == 422
    assert empty.json()["error"]["field"] == "visitor_id"
    preflight = anonymous.options(
        f"/experiments/{experiment_id}/assign",
        params={"site_key": key},
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN

    member.post(f"/experiments/{experiment_id}/stop")
    stopped = assign(anonymous, experiment_id, key, "visitor-1")
    assert stopped.status_code == 409
    assert stopped.json()["error"]["field"] == "experiment_id"


def test_power_is_the_engines_sample_size_for_the_split(tenant: Tenant) -> None:
    site = make_site(tenant)
    body = definition(site["site_id"], make_goal(tenant, site["site_id"]))
    body["variants"][1]["weight"] = 150  # a quarter of visitors see the control
    experiment_id = tenant[Role.MEMBER].post("/experiments", json=body).json()["experiment_id"]
    path = f"/experiments/{experiment_id}/power"
    viewer = tenant[Role.VIEWER]
    reply = viewer.get(path, params={"baseline_rate": "0.04"})
    assert reply.status_code == 200, reply.text
    power = reply.json()
    size = required_sample_size(0.04, 0.05, 0.05, 0.8, [50, 150])
    assert power["total_users"] == size.total
    assert [v["users"] for v in power["variants"]] == list(size.per_variant)
    assert [v["share"] for v in power["variants"]] == [0.25, 0.75]
    assert power["planned_sample_size"] == 20000
    assert power["reason"] is None
    wider = viewer.get(path, params={"baseline_rate": "0.04", "mde": "0.2"}).json()
    assert wider["total_users"] < power["total_users"]
    impossible = viewer.get(path, params={"baseline_rate": "0.9", "mde": "0.5"}).json()
    assert impossible["total_users"] is None
    assert impossible["reason"]
    for params, field in (
        ({}, "query.baseline_rate"),
        ({"baseline_rate": "2"}, "query.baseline_rate"),
    ):
        refused = viewer.get(path, params=params)
        assert refused.status_code == 422
        assert refused.json()["error"]["field"] == field


def test_results_before_any_run_are_null_with_a_reason(tenant: Tenant) -> None:
    site = make_site(tenant)
    body = definition(site["site_id"], make_goal(tenant, site["site_id"]))
    member = tenant[Role.MEMBER]
    experiment_id = member.post("/experiments", json=body).json()["experiment_id"]
    member.post(f"/experiments/{experiment_id}/start")
    reply = tenant[Role.VIEWER].get(f"/experiments/{experiment_id}/results")
    assert reply.status_code == 200, reply.text
    results = reply.json()
    assert results["run_at"] is None
    assert results["reason"]
    assert results["trustworthy"] is False
    bad_at = tenant[Role.VIEWER].get(f"/experiments/{experiment_id}/results", params={"at": "x"})
    assert bad_at.status_code == 422
    assert bad_at.json()["error"]["field"] == "query.at"
    assert tenant[Role.VIEWER].get("/experiments/nope/results").status_code == 404
