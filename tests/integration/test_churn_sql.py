"""Churn risk through its SQL on the local warehouse: in the insights demo's shop, whose
customers come back every week or few, the drifting customers who went quiet two months ago
and a one-time buyer gone for most of a year are on the at-risk list at the default threshold,
with the reasons, and the loyal and new customers are not (the stand-in tables and helpers of
test_scores_sql)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.adapters.duckdb_warehouse import DuckDbWarehouse
from shared.localstack.demo_customers import sample_customers
from shared.scores.churn_run import GAPS_SQL
from shared.scores.models import AtRiskQuery
from tests.integration.test_scores_sql import (
    NOW,
    admin,
    feedback,
    insert,
    journey,
    scores,
    warehouse,
)

pytestmark = pytest.mark.integration
__all__ = ["warehouse"]


def page_views(person: str, days_ago: list[float]) -> list[dict[str, Any]]:
    return [
        {"person_id": person, "event": "page_view", "occurred_at": NOW - timedelta(days=d)}
        for d in days_ago
    ]


def demo_shop(warehouse: DuckDbWarehouse) -> dict[str, str]:
    """The insights demo's sample customers' journeys as the demo leaves them (purchases; a
    visit, a sign-up and a rating for the active ones, the rating read as the unhappiest
    sentiment for a detractor), and a one-time buyer gone for 300 days. Returns each
    person's kind."""
    rows: list[dict[str, Any]] = []
    ratings: list[tuple[str, str, int, str, datetime]] = []
    kinds = {"once": "lapsed"}
    for customer in sample_customers():
        person = f"p{customer.number:02d}"
        kinds[person] = customer.kind
        for days_ago, value in zip(customer.purchase_days, customer.values, strict=True):
            at = NOW - timedelta(days=days_ago, hours=2)
            rows.append(purchase(person, at, value))
        if customer.kind != "drifting":
            rows += page_views(person, [0.1])
            rows.append({"person_id": person, "event": "form_submit", "occurred_at": NOW})
        if customer.rating is not None:
            ratings.append((f"f{person}", person, customer.rating, "nps_0_10", NOW))
    rows.append(purchase("once", NOW - timedelta(days=300), "70.00"))
    journey(warehouse, rows)
    feedback(warehouse, ratings)
    sentiment = [
        {
            "org_id": "o1",
            "source_type": "feedback",
            "source_id": feedback_id,
            "engine": "vader",
            "model": "vader",
            "status": "scored",
            "score": 0.8 if rating >= 7 else -1.0,
            "scored_at": NOW,
        }
        for feedback_id, _, rating, _, _ in ratings
    ]
    insert(warehouse, "sentiment_scores", sentiment)
    return kinds


def purchase(person: str, at: datetime, eur: str) -> dict[str, Any]:
    micros = int(Decimal(eur) * 1_000_000)
    return {
        "person_id": person,
        "event": "purchase",
        "occurred_at": at,
        "value_micros": micros,
        "currency": "EUR",
    }


def test_the_return_gaps_are_the_days_between_each_persons_active_days(
    warehouse: DuckDbWarehouse,
) -> None:
    journey(warehouse, page_views("a", [10, 10.2, 7, 1]) + page_views("b", [5]))
    rows = warehouse.run(
        GAPS_SQL, {"org_id": "o1", "as_of": NOW, "since": NOW.date() - timedelta(days=729)}
    )
    assert [(r["gap_days"], r["gaps"]) for r in rows] == [(3, 1), (6, 1)]


def test_lapsing_buyers_are_at_risk_at_the_default_threshold_and_active_ones_are_not(
    warehouse: DuckDbWarehouse,
) -> None:
    kinds = demo_shop(warehouse)
    service, store = scores(warehouse)
    service.calculate(admin(), "clv")
    run = service.calculate(admin(), "churn_risk")
    assert run.diagnostics["recency_reference"] == "return gaps"
    threshold = AtRiskQuery().min_risk
    at_risk = service.page(admin(), score_type="churn_risk", min_value=threshold).items
    lapsing = {person for person, kind in kinds.items() if kind in ("drifting", "lapsed")}
    assert {s.person_id for s in at_risk} == lapsing
    once = next(s for s in at_risk if s.person_id == "once").breakdown
    assert once["components"]["p_alive"]["explanation"].startswith("one purchase day only")
    assert once["reasons"][0].startswith("last seen 300 days ago")
    repeat = next(s for s in at_risk if s.breakdown["components"]["p_alive"]["risk"])
    drifting = repeat.breakdown
    assert drifting["components"]["frequency_trend"]["risk"] is None
    assert any(r.startswith("P(alive) is") for r in drifting["reasons"])
    assert store.get(f"orgs/o1/score_runs/churn_risk_{run.period}") is not None
