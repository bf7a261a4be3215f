"""The insights demo's sample customers, and how they reach the API: their purchases as a
backend replays its orders, their visits as a browser sends them, their sign-ups and ratings.

They are generated, not real people: a fixed seed decides who buys when, for how much, and
what they say, so every run of the demo tells the same story. Emails are example.com
addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from shared.localstack.demo_http import expect
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


def send_activity(
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
            expect(
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
    expect(
        httpx.post(
            f"{info.api_base_url}/v1/track/events",
            json={"events": visits},
            headers={"X-Site-Key": site["site_key"], "Origin": SHOP},
            timeout=60,
        ),
        202,
    )
    return orders


def link_visitors(api: httpx.Client, customers: list[Customer]) -> dict[str, str]:
    """person_id by visitor id: active customers sign up for the newsletter (a form_submit in
    their journey); the drifting ones are linked from the order history, which adds no event,
    so their journeys still end with their last purchase."""
    form = expect(
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
            linked = expect(
                api.post(
                    "/people/link-person-interactions", json={**link, "source": "order_history"}
                ),
                200,
                201,
            )
            people[customer.visitor_id] = linked["person_id"]
            continue
        response = expect(
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


def send_feedback(api: httpx.Client, customers: list[Customer]) -> list[str]:
    ids = []
    for customer in customers:
        if customer.rating is None:
            continue
        feedback_id = f"nps-{customer.number:02d}"
        expect(
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
