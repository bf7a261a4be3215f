"""One churn-risk run's inputs from the warehouse: each person's activity (last event, events
in the two trend windows), their purchase model from the lifetime-value run (P(alive) and
repeat purchase days), the sentiment of their feedback, and the organization's return gaps;
scored by shared.scores.churn."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.ports import Warehouse
from shared.scores import churn
from shared.scores.clv_service import LOOKBACK_DAYS, ClvOutcome
from shared.scores.records import PersonScore

ACTIVITY_SQL = "queries/scores_churn_activity.sql"
GAPS_SQL = "queries/scores_churn_return_gaps.sql"
SENTIMENT_SQL = "queries/scores_person_sentiment.sql"
SENTIMENT_DAYS = 180
"""Churn risk reads the sentiment of the person's feedback of the past 180 days."""


def churn_scores(
    warehouse: Warehouse, clv: ClvOutcome, org_id: str, at: datetime
) -> tuple[list[PersonScore], dict[str, Any]]:
    """Every person with a journey event in the look-back, scored as of `at`, and the run's
    diagnostics."""
    model: dict[str, tuple[float, int]] = {}
    if not clv.people.empty:
        model = {
            str(person): (float(p_alive), int(frequency))
            for person, p_alive, frequency in zip(
                clv.people["person_id"], clv.people["p_alive"], clv.people["frequency"], strict=True
            )
        }
    today = at.date()
    window = timedelta(days=churn.TREND_WINDOW_DAYS)
    since = today - timedelta(days=LOOKBACK_DAYS - 1)
    activity = warehouse.run(
        ACTIVITY_SQL,
        {
            "org_id": org_id,
            "as_of": at,
            "since": since,
            "recent_from": today - window + timedelta(days=1),
            "prior_from": today - 2 * window + timedelta(days=1),
        },
    )
    gaps = churn.ReturnGaps.of(
        warehouse.run(GAPS_SQL, {"org_id": org_id, "as_of": at, "since": since})
    )
    sentiment = {
        str(row["person_id"]): float(row["mean_score"])
        for row in warehouse.run(
            SENTIMENT_SQL,
            {
                "org_id": org_id,
                "from_date": today - timedelta(days=SENTIMENT_DAYS - 1),
                "to_date": today,
                "person_id": None,
            },
        )
    }
    scores = []
    for row in activity:
        person_id = str(row["person_id"])
        last: datetime = row["last_event_at"]
        p_alive, repeats = model.get(person_id, (None, None))
        inputs = churn.ChurnInputs(
            p_alive=p_alive,
            days_since_last_event=max((at - last).total_seconds() / 86400, 0.0),
            recent_events=int(row["recent_events"]),
            prior_events=int(row["prior_events"]),
            mean_sentiment=sentiment.get(person_id),
            repeat_purchases=repeats,
            return_gaps=gaps,
        )
        risk = churn.churn_risk(inputs)
        if risk is not None:
            breakdown = {"components": risk.components, "reasons": risk.reasons}
            scores.append(PersonScore(person_id, risk.value, breakdown))
    diagnostics: dict[str, Any] = {
        "weights": churn.WEIGHTS,
        "clv_fit": clv.diagnostics.get("reason", "fitted"),
        "persons_with_sentiment": len(sentiment),
        "return_gaps": gaps.total,
        "recency_reference": "return gaps"
        if gaps.total >= churn.MIN_RETURN_GAPS
        else f"linear over {churn.RECENCY_FULL_DAYS:.0f} days",
    }
    return scores, diagnostics
