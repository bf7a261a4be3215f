"""The insights part of the demo: the brand's shop and its sample customers' purchases of the
past quarter (server-side conversions, which may be 90 days old) and recent visits (the
browser's intake), each visitor linked to a person by email (a newsletter form, or the order
history), NPS feedback scored for sentiment (naming the engine and model), the next monitoring
pass scraping the campaign posts' comments and the creators' community health from them, one
customer's journey, an RFM segment, NPS with its margin, lifetime value and the at-risk list
at the endpoint's default threshold.

The customers are generated sample data, not real people (shared/localstack/demo_customers.py).
Their emails are stored only encrypted, matched by their keyed hash."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.localstack.demo_customers import (
    DRIFTING,
    LOYAL,
    NEW,
    OLDEST_DAYS,
    SEED,
    SHOP,
    link_visitors,
    sample_customers,
    send_activity,
    send_feedback,
)
from shared.localstack.demo_http import expect
from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo
from shared.scores.models import AtRiskQuery

SENTIMENT_WAIT_SECONDS = 90
COMMENTS_WAIT_SECONDS = 180


def _say(line: str = "") -> None:
    print(line, flush=True)


def run_insights_flow(
    api: httpx.Client, info: StackInfo, *, brand_id: str, campaign_id: str
) -> dict[str, Any]:
    """Steps 26-34, after the experiments, over the gateway with the demo's OWNER key (visits
    with the site key, as a browser)."""
    site = expect(
        api.post(
            "/sites",
            json={"name": "Acme shop", "brand_id": brand_id, "allowed_origins": [SHOP]},
        ),
        201,
    )
    customers = sample_customers()
    now = datetime.now(UTC)
    orders = send_activity(api, info, site, customers, now)
    _say(
        f"26. {len(customers)} sample customers (generated, seed {SEED}): {LOYAL} loyal, "
        f"{DRIFTING} drifting, {NEW} new; {orders} EUR purchases of the last {OLDEST_DAYS} days "
        "sent to POST /v1/conversions (site and visitor named), the active customers' visits "
        "of the last hours to /v1/track/events"
    )
    people = link_visitors(api, customers)
    _say(
        f"27. {len(people)} visitors linked to persons by email (stored encrypted, matched by "
        f"its keyed hash): {LOYAL + NEW} by a newsletter form's email field, the {DRIFTING} "
        "drifting ones from the shop's order history (POST /v1/people/link-person-interactions);"
        " the visitors' earlier visits and purchases join the persons' journeys"
    )
    feedback_ids = send_feedback(api, customers)
    _report_sentiment(api, feedback_ids)
    comments = _report_community_health(api, info, campaign_id)
    showcase = next(c for c in customers if c.kind == "loyal" and c.rating is not None)
    _report_journey(api, people[showcase.visitor_id])
    segment = _report_rfm(api)
    nps = expect(api.get("/nps"), 200)
    _say(
        f"32. NPS of the last 30 days (GET /v1/nps): {nps['score']:+.1f} "
        f"+- {nps['margin_of_error']:.1f} (95%), {nps['n']} ratings: {nps['promoters']} "
        f"promoters, {nps['passives']} passives, {nps['detractors']} detractors"
    )
    clv = _report_clv(api)
    kinds = {people[c.visitor_id]: c.kind for c in customers}
    at_risk = _report_at_risk(api, kinds)
    return {
        "insights_site_id": site["site_id"],
        "insights_customers": len(people),
        "insights_journey_person_id": people[showcase.visitor_id],
        "insights_comments_scored": comments,
        "insights_rfm_segment_id": segment,
        "insights_nps": nps["score"],
        "insights_nps_margin": nps["margin_of_error"],
        "insights_clv_scored": clv,
        "insights_at_risk": len(at_risk),
        "insights_at_risk_drifting": sum(kinds.get(p) == "drifting" for p in at_risk),
    }


def _report_sentiment(api: httpx.Client, feedback_ids: list[str]) -> None:
    """feedback.created is scored by the sentiment_events subscriber; wait for every one."""

    def listed() -> dict[str, Any]:
        return expect(api.get("/sentiment", params={"source_type": "feedback", "limit": 100}), 200)

    def all_scored() -> dict[str, Any] | None:
        page = listed()
        return page if len(page["items"]) >= len(feedback_ids) else None

    items = (_until(all_scored, SENTIMENT_WAIT_SECONDS) or listed())["items"]
    engines = Counter(f"{i['engine']} ({i['model']})" for i in items)
    labels = Counter(str(i["label"]) for i in items)
    _say(
        f"28. {len(feedback_ids)} NPS ratings with text posted to /v1/feedback; "
        f"{len(items)} scored on feedback.created by {', '.join(sorted(engines)) or 'nobody'}: "
        + ", ".join(f"{n} {label}" for label, n in sorted(labels.items()))
    )
    scored = [i for i in items if i["score"] is not None]
    for item in {str(i["label"]): i for i in scored}.values():
        _say(
            f"     {item['source_id']}: {item['label']} (score {item['score']:+.2f}), "
            f"keywords {', '.join(item['keywords'] or []) or '-'}"
        )


def _report_community_health(api: httpx.Client, info: StackInfo, campaign_id: str) -> int:
    """Comments runs are planned from the monitoring pass after the one that found the
    campaign posts: the demo runs that next pass, as Cloud Scheduler would 12 hours later."""
    planned = expect(
        httpx.post(
            f"{info.functions_base_url}/scrape_monitor",
            headers=info.invoker_headers(SCHEDULER, "scrape_monitor"),
            timeout=60,
        ),
        200,
    )
    runs = [j for j in planned["job_ids"] if str(j).startswith("comments-")]

    def scored() -> dict[str, Any] | None:
        metrics = expect(api.get(f"/campaigns/{campaign_id}/metrics"), 200)
        health: dict[str, Any] = metrics["community_health"]
        return health if health["comments"] and health["scored"] == health["comments"] else None

    health = _until(scored, COMMENTS_WAIT_SECONDS) if runs else None
    if health is None:
        why = "no comments run planned" if not runs else f"none scored in {COMMENTS_WAIT_SECONDS}s"
        _say(f"29. creators' community health: skipped, {why} by the next monitoring pass")
        return 0
    comment = expect(api.get("/sentiment", params={"source_type": "comment", "limit": 1}), 200)
    scorer = ", ".join(f"{i['engine']} ({i['model']})" for i in comment["items"])
    _say(
        f"29. next monitoring pass: {len(runs)} comments run(s) of the campaign posts; "
        f"community health of the campaign's creators: {health['comments']} comments, "
        f"{health['scored']} scored by {scorer}, positive {_share(health['positive_share'])}, "
        f"negative {_share(health['negative_share'])}, mean toxicity "
        f"{_share(health['mean_toxicity'])}"
    )
    return int(health["scored"])


def _every_item(api: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every item of a paged list, following its cursors."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = expect(api.get(path, params=params), 200)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _until(check: Callable[[], dict[str, Any] | None], seconds: float) -> dict[str, Any] | None:
    """check's answer once it has one, None when `seconds` passed without."""
    deadline = time.monotonic() + seconds
    while (found := check()) is None and time.monotonic() < deadline:
        time.sleep(1)
    return found


def _share(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def _report_journey(api: httpx.Client, person_id: str) -> None:
    journey = expect(api.get(f"/people/{person_id}/journey"), 200)
    _say(f"30. journey of person {person_id} (GET /v1/people/{{id}}/journey):")
    for event in journey["events"]:
        _say(
            f"     {event['occurred_at'][:16]}  {event['event']:<12} {event['stage']:<13} "
            f"{event['channel']}"
        )


def _report_rfm(api: httpx.Client) -> str:
    segment = expect(
        api.post(
            "/segments",
            json={"name": "RFM EUR buyers", "kind": "rfm", "rfm": {"currency": "EUR"}},
        ),
        201,
    )
    segment_id = str(segment["segment_id"])
    calculated = expect(api.post(f"/segments/{segment_id}/calculate"), 200)
    members = _every_item(api, f"/segments/{segment_id}/members")
    names = Counter(str(m["rfm"]["segment"]) for m in members)
    _say(
        f"31. RFM segment calculated in the warehouse: {calculated['members']} members; "
        + ", ".join(f"{name} {n}" for name, n in names.most_common())
    )
    return segment_id


def _report_clv(api: httpx.Client) -> int:
    run = expect(api.post("/scores/calculate/clv"), 200)
    diagnostics = run["diagnostics"]
    fit = diagnostics.get("bgnbd") or {}
    if run["persons_scored"] == 0:
        _say(f"33. lifetime value: nobody scored: {diagnostics.get('reason')}")
        return 0
    spend = diagnostics["gamma_gamma"]
    _say(
        f"33. lifetime value (BG/NBD + Gamma-Gamma, 12 months, 10%/year discount) of "
        f"{run['persons_scored']} customers: r {fit['r']:.3f}, alpha {fit['alpha']:.3f}, "
        f"a {fit['a']:.3f}, b {fit['b']:.3f} (log-likelihood {fit['log_likelihood']:.1f}); "
        f"p {spend['p']:.2f}, q {spend['q']:.2f}, v {spend['v']:.2f}"
    )
    holdout = diagnostics.get("holdout") or {}
    if "reason" in holdout:
        _say(f"     holdout check: none ({holdout['reason']})")
    top = expect(api.get("/scores", params={"type": "clv", "limit": 3}), 200)["items"]
    for score in top:
        breakdown = score["breakdown"]
        _say(
            f"     {score['person_id']}: {score['currency']} {score['value'] / 1e6:,.2f}, "
            f"P(alive) {breakdown['p_alive']:.0%}, "
            f"{breakdown['expected_purchases']:.1f} purchases expected"
        )
    return int(run["persons_scored"])


def _report_at_risk(api: httpx.Client, kinds: dict[str, str]) -> list[str]:
    """Scores the customers and lists those at risk at the endpoint's default threshold, with
    how many of them are the drifting customers; returns their person ids."""
    for score_type in ("engagement", "churn_risk"):
        expect(api.post(f"/scores/calculate/{score_type}"), 200)
    at_risk = _every_item(api, "/customers/at-risk")
    found = Counter(kinds.get(str(score["person_id"]), "other") for score in at_risk)
    _say(
        f"34. at risk (GET /v1/customers/at-risk, the default churn risk >= "
        f"{AtRiskQuery().min_risk:.0f}): "
        f"{len(at_risk)}: {found['drifting']} of the {DRIFTING} drifting customers, "
        f"{found['loyal'] + found['new']} of the {LOYAL + NEW} loyal and new ones"
    )
    for score in at_risk[:5]:
        reasons = "; ".join(score["breakdown"]["reasons"]) or "no single large reason"
        _say(f"     {score['person_id']}: {score['value']:.0f}/100: {reasons}")
    return [str(score["person_id"]) for score in at_risk]
