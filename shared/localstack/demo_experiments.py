"""The experiments part of the demo: a landing-page test with two variants, visitors assigned by
the public assignment endpoint (GrowthBook's hash of the experiment seed and the visitor id),
their exposures and purchases sent as tracking events, the hourly results job as Cloud Scheduler
calls it, and the result read back: per variant counts and conversion rates, the lift with its
interval, the chance to beat the control, the verdict and the sample-ratio (SRM) check.

The visitors are generated sample data, not real traffic: a fixed seed decides who buys, so
every run of the demo tells the same story."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.localstack.demo_http import expect
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo

LANDING = "https://trail.acme-outdoor.example"
VISITORS = 500
SEED = 20261010
"""The sample visitors' random generator seed (who buys, what they pay)."""
BUY_RATE = {"control": 0.08, "trail_story": 0.18}
"""The sample data's purchase rates per variant (the story the demo tells, not a measurement)."""
PRICES = ("59.90", "89.00", "119.00")
HASH_SEED = "demo-trail-landing"
"""A fixed GrowthBook hash seed (the default is the experiment's new random id), so the same
sample visitors land in the same variants on every run."""


def _say(line: str = "") -> None:
    print(line, flush=True)


def run_experiments_flow(api: httpx.Client, info: StackInfo, *, brand_id: str) -> dict[str, Any]:
    """Steps 22-25, after ad planning, over the gateway with the demo's OWNER key (assignment
    and tracking with the site key, as a browser)."""
    site = expect(
        api.post(
            "/sites",
            json={"name": "Acme trail landing", "brand_id": brand_id, "allowed_origins": [LANDING]},
        ),
        201,
    )
    goal = expect(
        api.post(
            "/goals",
            json={
                "name": "Landing purchases",
                "site_id": site["site_id"],
                "event_type": "purchase",
            },
        ),
        201,
    )
    experiment = expect(
        api.post(
            "/experiments",
            json={
                "name": "Trail landing page",
                "site_id": site["site_id"],
                "hypothesis": "A page that tells the trail's story sells more than the catalogue",
                "seed": HASH_SEED,
                "variants": [
                    {"variant_id": "control", "name": "Catalogue page", "weight": 50},
                    {"variant_id": "trail_story", "name": "Trail story page", "weight": 50},
                ],
                "metrics": [
                    {
                        "metric_id": "purchase",
                        "role": "goal",
                        "kind": "binomial",
                        "goal_id": goal["goal_id"],
                    },
                    {
                        "metric_id": "revenue",
                        "role": "secondary",
                        "kind": "mean",
                        "currency": "EUR",
                    },
                ],
                "mde": 0.2,
            },
        ),
        201,
    )
    experiment_id = experiment["experiment_id"]
    expect(api.post(f"/experiments/{experiment_id}/start"), 200)
    _say(
        f"22. experiment {experiment['name']} ({experiment_id}) started: 'control' (catalogue) "
        "vs 'trail_story', 50/50, goal: purchases; secondary: revenue per visitor (EUR)"
    )
    events, split = _sample_visitors(info, experiment_id, site["site_key"])
    for start in range(0, len(events), 100):
        expect(
            httpx.post(
                f"{info.api_base_url}/v1/track/events",
                json={"events": events[start : start + 100]},
                headers={"X-Site-Key": site["site_key"], "Origin": LANDING},
                timeout=60,
            ),
            202,
        )
    purchases = sum(e["type"] == "purchase" for e in events)
    _say(
        f"23. {VISITORS} sample visitors (generated, seed {SEED}) assigned by "
        f"POST /v1/experiments/{{id}}/assign: {split['control']} control, "
        f"{split['trail_story']} trail_story; their experiment_viewed events and {purchases} "
        "purchases sent to /v1/track/events"
    )
    job = expect(
        httpx.post(
            f"{info.functions_base_url}/experiments_hourly",
            json={"schedule": "recompute-experiments"},
            headers=info.invoker_headers(SCHEDULER, "experiments_hourly"),
            timeout=180,
        ),
        200,
    )
    _say(
        f"24. hourly results job (Cloud Scheduler): {job['experiments']} running experiment(s), "
        f"{job['rows']} result rows stored for the run at {job['run_at']}"
    )
    results = expect(api.get(f"/experiments/{experiment_id}/results"), 200)
    return _report(experiment_id, results)


def _sample_visitors(
    info: StackInfo, experiment_id: str, site_key: str
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each sample visitor is assigned, sees its variant and buys at its variant's rate."""
    draw = random.Random(SEED)  # noqa: S311 - sample data, not security
    now = datetime.now(UTC).isoformat()
    events: list[dict[str, Any]] = []
    split = dict.fromkeys(BUY_RATE, 0)
    for n in range(VISITORS):
        visitor = f"sample-visitor-{n:04d}"
        assigned = expect(
            httpx.post(
                f"{info.api_base_url}/v1/experiments/{experiment_id}/assign",
                json={"visitor_id": visitor},
                headers={"X-Site-Key": site_key, "Origin": LANDING},
                timeout=30,
            ),
            200,
        )
        variant = assigned["variant_id"]
        split[variant] += 1
        events.append(
            {
                "type": "experiment_viewed",
                "event_id": f"seen-{visitor}",
                "occurred_at": now,
                "visitor_id": visitor,
                "experiment_id": experiment_id,
                "variation_id": variant,
            }
        )
        if draw.random() < BUY_RATE[variant]:
            events.append(
                {
                    "type": "purchase",
                    "event_id": f"buy-{visitor}",
                    "occurred_at": now,
                    "visitor_id": visitor,
                    "order_id": f"trail-{visitor}",
                    "value": draw.choice(PRICES),
                    "currency": "EUR",
                }
            )
    return events, split


def _report(experiment_id: str, results: dict[str, Any]) -> dict[str, Any]:
    srm = results["srm"]
    goal = next(m for m in results["metrics"] if m["role"] == "goal")
    control, variant = goal["variants"]
    _say("25. results (GET /v1/experiments/{id}/results):")
    for arm in (control, variant):
        _say(
            f"     {arm['variant_id']:<12} {arm['users']:>4} visitors, "
            f"conversion rate {arm['mean']:.1%}"
        )
    if variant["lift"] is not None:
        _say(
            f"     lift {variant['lift']:+.1%} (95% CI {variant['lift_ci_low']:+.1%} to "
            f"{variant['lift_ci_high']:+.1%}), p = {variant['p_value']:.4f} "
            f"(adjusted {variant['p_value_adjusted']:.4f}), chance to beat control "
            f"{variant['chance_to_win']:.1%}"
        )
    else:
        _say(f"     no comparison: {variant['reason']}")
    _say(f"     verdict: {goal['verdict']['text']} ({goal['verdict']['code']})")
    shares = ", ".join(
        f"{v['variant_id']} {v['users']} (expected {v['expected_share']:.0%})"
        for v in srm["variants"]
    )
    _say(
        f"     SRM check: {shares}; p = {srm['p_value']:.3f}, "
        f"{'FLAGGED: results untrustworthy' if srm['flagged'] else 'not flagged (p >= 0.001)'}"
    )
    return {
        "experiment_id": experiment_id,
        "experiment_verdict": goal["verdict"]["code"],
        "experiment_srm_p_value": srm["p_value"],
        "experiment_trustworthy": results["trustworthy"],
    }
