"""The insights part of the demo: the brand's shop and its sample customers' purchases of the
past quarter (server-side conversions, which may be 90 days old) and recent visits (the
browser's intake), each visitor linked to a person by email (a newsletter form, or the order
history), NPS feedback scored for sentiment (naming the engine and model), the next monitoring
pass scraping the campaign posts' comments and the creators' community health from them, one
customer's journey, an RFM segment, NPS with its margin, lifetime value and the at-risk list.

The customers are generated sample data, not real people: a fixed seed decides who buys when,
for how much, and what they say, so every run of the demo tells the same story. Emails are
example.com addresses (stored only encrypted, matched by their keyed hash)."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from shared.localstack.identities import SCHEDULER
from shared.localstack.stack import StackInfo

SHOP = "https://shop.acme-outdoor.example"
SEED = 20261202
"""The sample customers' random generator seed (who buys when, what they pay and say)."""
LOYAL, DRIFTING, NEW = 24, 10, 6
"""Sample customers who keep buying, who bought in the quarter's first weeks and stopped, and
who bought once recently (the story the demo tells, not a measurement)."""
BASKETS = (25, 40, 60, 90, 140)
"""Sample customers' typical order values in EUR (each order 60-140 % of it)."""
OLDEST_DAYS = 85
"""The oldest sample purchase, in days: inside the server-side intake's 90 days."""
REVIEWS = {
    10: "Love the trail shoes, best purchase this year",
    9: "Great grip on wet rock",
    8: "Great fit, but the box was damaged",
    7: "Good shoes but sizing runs small",
    4: "Terrible support when I asked about a return",
    2: "The parcel was two weeks late",
}
"""Sample review texts by NPS rating."""
SENTIMENT_WAIT_SECONDS = 90
COMMENTS_WAIT_SECONDS = 180
AT_RISK_MIN = 50.0
"""The at-risk list's threshold the demo asks for (the endpoint's default is 60)."""


@dataclass(frozen=True)
class Customer:
    number: int
    kind: str
    purchase_days: tuple[int, ...]
    """Days ago of each purchase, oldest first."""
    values: tuple[str, ...]
    """Each purchase's EUR value."""
    rating: int | None

    @property
    def visitor_id(self) -> str:
        return f"insights-visitor-{self.number:02d}"

    @property
    def email(self) -> str:
        return f"sample.customer{self.number:02d}@example.com"


def _say(line: str = "") -> None:
    print(line, flush=True)


def _json(response: httpx.Response, *statuses: int) -> dict[str, Any]:
    if response.status_code not in statuses:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}, expected {statuses}: {response.text[:2000]}"
        )
    body: dict[str, Any] = response.json() if response.content else {}
    return body


def sample_customers() -> list[Customer]:
    """Loyal customers buy every week to every few weeks up to now, each at their own pace;
    drifting ones bought a few times two to three months ago and went quiet; new ones bought
    once in the last fortnight. Loyal and new customers rate the shop, drifting ones do not."""
    draw = random.Random(SEED)  # noqa: S311 - sample data, not security
    customers: list[Customer] = []
    for number in range(LOYAL + DRIFTING + NEW):
        if number < LOYAL:
            kind, day, days = "loyal", draw.randint(45, OLDEST_DAYS), []
            gap = draw.choice((6, 12, 20, 30, 45))
            while day > 0:
                days.append(day)
                day -= draw.randint(gap // 2, gap * 3 // 2)
            rating: int | None = draw.choice((10, 10, 9, 9, 8, 7, 4))
        elif number < LOYAL + DRIFTING:
            kind, start = "drifting", draw.randint(70, OLDEST_DAYS)
            days = sorted({start - draw.randint(0, 20) for _ in range(draw.randint(2, 4))})[::-1]
            rating = None
        else:
            kind, days = "new", [draw.randint(1, 14)]
            rating = draw.choice((9, 7, 2))
        basket = draw.choice(BASKETS)
        values = tuple(f"{basket * draw.uniform(0.6, 1.4):.2f}" for _ in days)
        customers.append(Customer(number, kind, tuple(days), values, rating))
    return customers


def run_insights_flow(
    api: httpx.Client, info: StackInfo, *, brand_id: str, campaign_id: str
) -> dict[str, Any]:
    """Steps 26-34, after the experiments, over the gateway with the demo's OWNER key (visits
    with the site key, as a browser)."""
    site = _json(
        api.post(
            "/sites",
            json={"name": "Acme shop", "brand_id": brand_id, "allowed_origins": [SHOP]},
        ),
        201,
    )
    customers = sample_customers()
    now = datetime.now(UTC)
    orders = _send_activity(api, info, site, customers, now)
    _say(
        f"26. {len(customers)} sample customers (generated, seed {SEED}): {LOYAL} loyal, "
        f"{DRIFTING} drifting, {NEW} new; {orders} EUR purchases of the last {OLDEST_DAYS} days "
        "sent to POST /v1/conversions (site and visitor named), the active customers' visits "
        "of the last hours to /v1/track/events"
    )
    people = _link_visitors(api, customers)
    _say(
        f"27. {len(people)} visitors linked to persons by email (stored encrypted, matched by "
        f"its keyed hash): {LOYAL + NEW} by a newsletter form's email field, the {DRIFTING} "
        "drifting ones from the shop's order history (POST /v1/people/link-person-interactions);"
        " the visitors' earlier visits and purchases join the persons' journeys"
    )
    feedback_ids = _send_feedback(api, customers)
    _report_sentiment(api, feedback_ids)
    comments = _report_community_health(api, info, campaign_id)
    showcase = next(c for c in customers if c.kind == "loyal" and c.rating is not None)
    _report_journey(api, people[showcase.visitor_id])
    segment = _report_rfm(api)
    nps = _json(api.get("/nps"), 200)
    _say(
        f"32. NPS of the last 30 days (GET /v1/nps): {nps['score']:+.1f} "
        f"+- {nps['margin_of_error']:.1f} (95%), {nps['n']} ratings: {nps['promoters']} "
        f"promoters, {nps['passives']} passives, {nps['detractors']} detractors"
    )
    clv = _report_clv(api)
    at_risk = _report_at_risk(api)
    return {
        "insights_site_id": site["site_id"],
        "insights_customers": len(people),
        "insights_comments_scored": comments,
        "insights_rfm_segment_id": segment,
        "insights_nps": nps["score"],
        "insights_nps_margin": nps["margin_of_error"],
        "insights_clv_scored": clv,
        "insights_at_risk": at_risk,
    }


def _send_activity(
    api: httpx.Client,
    info: StackInfo,
    site: dict[str, Any],
    customers: list[Customer],
    now: datetime,
) -> int:
    """Each purchase as a server-side conversion of the site's visitor (a backend replaying
    its orders), and a visit of the last hours for each customer who is still active."""
    orders = 0
    visits: list[dict[str, Any]] = []
    for customer in customers:
        for days_ago, value in zip(customer.purchase_days, customer.values, strict=True):
            order = f"acme-{customer.number:02d}-{days_ago:02d}"
            _json(
                api.post(
                    "/conversions",
                    json={
                        "type": "purchase",
                        "event_id": f"order-{order}",
                        "occurred_at": (now - timedelta(days=days_ago, hours=2)).isoformat(),
                        "site_id": site["site_id"],
                        "visitor_id": customer.visitor_id,
                        "order_id": order,
                        "value": value,
                        "currency": "EUR",
                    },
                ),
                200,
                201,
            )
            orders += 1
        if customer.kind != "drifting":
            visits.append(
                {
                    "type": "page_view",
                    "event_id": f"visit-{customer.visitor_id}",
                    "occurred_at": (now - timedelta(hours=3)).isoformat(),
                    "url": f"{SHOP}/trail-shoes",
                    "visitor_id": customer.visitor_id,
                    "session_id": f"session-{customer.visitor_id}",
                }
            )
    _json(
        httpx.post(
            f"{info.api_base_url}/v1/track/events",
            json={"events": visits},
            headers={"X-Site-Key": site["site_key"], "Origin": SHOP},
            timeout=60,
        ),
        202,
    )
    return orders


def _link_visitors(api: httpx.Client, customers: list[Customer]) -> dict[str, str]:
    """person_id by visitor id: active customers sign up for the newsletter (a form_submit in
    their journey); the drifting ones are linked from the order history, which adds no event,
    so their journeys still end with their last purchase."""
    form = _json(
        api.post(
            "/forms",
            json={
                "name": "Newsletter sign-up",
                "fields": [
                    {"name": "email", "type": "email", "required": True},
                    {"name": "interest", "type": "choice", "choices": ["trail", "hiking"]},
                ],
            },
        ),
        201,
    )
    people: dict[str, str] = {}
    for customer in customers:
        if customer.kind == "drifting":
            link = {"email": customer.email, "visitor_id": customer.visitor_id}
            linked = _json(
                api.post(
                    "/people/link-person-interactions", json={**link, "source": "order_history"}
                ),
                200,
                201,
            )
            people[customer.visitor_id] = linked["person_id"]
            continue
        response = _json(
            api.post(
                f"/forms/{form['form_id']}/responses",
                json={
                    "response_id": f"signup-{customer.number:02d}",
                    "fields": {
                        "email": customer.email,
                        "interest": "trail" if customer.number % 3 else "hiking",
                    },
                    "visitor_id": customer.visitor_id,
                },
            ),
            200,
            201,
        )
        people[customer.visitor_id] = response["person_id"]
    return people


def _send_feedback(api: httpx.Client, customers: list[Customer]) -> list[str]:
    ids = []
    for customer in customers:
        if customer.rating is None:
            continue
        feedback_id = f"nps-{customer.number:02d}"
        _json(
            api.post(
                "/feedback",
                json={
                    "feedback_id": feedback_id,
                    "scale": "nps_0_10",
                    "rating": customer.rating,
                    "text": REVIEWS[customer.rating],
                    "channel": "email",
                    "email": customer.email,
                },
            ),
            200,
            201,
        )
        ids.append(feedback_id)
    return ids


def _report_sentiment(api: httpx.Client, feedback_ids: list[str]) -> None:
    """feedback.created is scored by the sentiment_events subscriber; wait for every one."""

    def listed() -> dict[str, Any]:
        return _json(api.get("/sentiment", params={"source_type": "feedback", "limit": 100}), 200)

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
    planned = _json(
        httpx.post(
            f"{info.functions_base_url}/scrape_monitor",
            headers=info.invoker_headers(SCHEDULER, "scrape_monitor"),
            timeout=60,
        ),
        200,
    )
    runs = [j for j in planned["job_ids"] if str(j).startswith("comments-")]

    def scored() -> dict[str, Any] | None:
        metrics = _json(api.get(f"/campaigns/{campaign_id}/metrics"), 200)
        health: dict[str, Any] = metrics["community_health"]
        return health if health["comments"] and health["scored"] == health["comments"] else None

    health = _until(scored, COMMENTS_WAIT_SECONDS) if runs else None
    if health is None:
        why = "no comments run planned" if not runs else f"none scored in {COMMENTS_WAIT_SECONDS}s"
        _say(f"29. creators' community health: skipped, {why} by the next monitoring pass")
        return 0
    comment = _json(api.get("/sentiment", params={"source_type": "comment", "limit": 1}), 200)
    scorer = ", ".join(f"{i['engine']} ({i['model']})" for i in comment["items"])
    _say(
        f"29. next monitoring pass: {len(runs)} comments run(s) of the campaign posts; "
        f"community health of the campaign's creators: {health['comments']} comments, "
        f"{health['scored']} scored by {scorer}, positive {_share(health['positive_share'])}, "
        f"negative {_share(health['negative_share'])}, mean toxicity "
        f"{_share(health['mean_toxicity'])}"
    )
    return int(health["scored"])


def _until(check: Callable[[], dict[str, Any] | None], seconds: float) -> dict[str, Any] | None:
    """check's answer once it has one, None when `seconds` passed without."""
    deadline = time.monotonic() + seconds
    while (found := check()) is None and time.monotonic() < deadline:
        time.sleep(1)
    return found


def _share(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%}"


def _report_journey(api: httpx.Client, person_id: str) -> None:
    journey = _json(api.get(f"/people/{person_id}/journey"), 200)
    _say(f"30. journey of person {person_id} (GET /v1/people/{{id}}/journey):")
    for event in journey["events"]:
        _say(
            f"     {event['occurred_at'][:16]}  {event['event']:<12} {event['stage']:<13} "
            f"{event['channel']}"
        )


def _report_rfm(api: httpx.Client) -> str:
    segment = _json(
        api.post(
            "/segments",
            json={"name": "RFM EUR buyers", "kind": "rfm", "rfm": {"currency": "EUR"}},
        ),
        201,
    )
    segment_id = str(segment["segment_id"])
    calculated = _json(api.post(f"/segments/{segment_id}/calculate"), 200)
    names: Counter[str] = Counter()
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = _json(api.get(f"/segments/{segment_id}/members", params=params), 200)
        names.update(str(m["rfm"]["segment"]) for m in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    _say(
        f"31. RFM segment calculated in the warehouse: {calculated['members']} members; "
        + ", ".join(f"{name} {n}" for name, n in names.most_common())
    )
    return segment_id


def _report_clv(api: httpx.Client) -> int:
    run = _json(api.post("/scores/calculate/clv"), 200)
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
    top = _json(api.get("/scores", params={"type": "clv", "limit": 3}), 200)["items"]
    for score in top:
        breakdown = score["breakdown"]
        _say(
            f"     {score['person_id']}: {score['currency']} {score['value'] / 1e6:,.2f}, "
            f"P(alive) {breakdown['p_alive']:.0%}, "
            f"{breakdown['expected_purchases']:.1f} purchases expected"
        )
    return int(run["persons_scored"])


def _report_at_risk(api: httpx.Client) -> int:
    for score_type in ("engagement", "churn_risk"):
        _json(api.post(f"/scores/calculate/{score_type}"), 200)
    at_risk = _json(api.get("/customers/at-risk", params={"min_risk": AT_RISK_MIN}), 200)["items"]
    _say(
        f"34. at risk (GET /v1/customers/at-risk, churn risk >= {AT_RISK_MIN:.0f}): {len(at_risk)}"
    )
    for score in at_risk[:5]:
        reasons = "; ".join(score["breakdown"]["reasons"]) or "no single large reason"
        _say(f"     {score['person_id']}: {score['value']:.0f}/100: {reasons}")
    return len(at_risk)
