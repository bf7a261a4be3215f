"""Engagement score: each journey event scores its kind's weight, decayed by its age with a
half-life, summed per person in SQL (bigquery_sql/queries/scores_engagement.sql):

    score = sum over events of weight(event) * 0.5 ** (age_days / half_life_days)

The defaults below are the one definition of the weights and half-life; an organization's
own (orgs/{org}/settings/engagement_scores, PUT /v1/scores/settings/engagement) replace them
kind by kind. Events older than LOOKBACK_HALF_LIVES half-lives are not read: each would add
less than 0.1 % of its weight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from shared.scores.models import EngagementSettings
from shared.scores.records import PersonScore

SQL = "queries/scores_engagement.sql"
DEFAULT_WEIGHTS: dict[str, float] = {
    "purchase": 10.0,
    "feedback": 5.0,
    "social_engage": 5.0,
    "form_submit": 3.0,
    "page_view": 1.0,
    "lead_capture": 3.0,
}
"""Points per event kind (a lead capture is a form, so it weighs as one)."""
DEFAULT_HALF_LIFE_DAYS = 30.0
LOOKBACK_HALF_LIVES = 10


def effective(settings: EngagementSettings | None) -> tuple[dict[str, float], float]:
    """The weights and half-life in force: the organization's where set, else the defaults."""
    weights: dict[str, float] = dict(DEFAULT_WEIGHTS)
    half_life = DEFAULT_HALF_LIFE_DAYS
    if settings is not None:
        weights.update({str(k): v for k, v in (settings.weights or {}).items()})
        half_life = settings.half_life_days or half_life
    return weights, half_life


def decayed(weight: float, age_days: float, half_life_days: float) -> float:
    """One event's points (the SQL's formula, for tests and explanations)."""
    return float(weight * 0.5 ** (age_days / half_life_days))


def query_params(
    org_id: str, as_of: datetime, weights: Mapping[str, float], half_life_days: float
) -> dict[str, Any]:
    since = as_of - timedelta(days=half_life_days * LOOKBACK_HALF_LIVES)
    return {
        "org_id": org_id,
        "as_of": as_of,
        "since_date": since.date(),
        "half_life_days": half_life_days,
        **{f"w_{event}": weights[event] for event in DEFAULT_WEIGHTS},
    }


def person_scores(
    rows: Sequence[Mapping[str, Any]], weights: Mapping[str, float], half_life_days: float
) -> list[PersonScore]:
    """The SQL's (person, event) rows folded into one score per person, with the breakdown."""
    people: dict[str, dict[str, Any]] = {}
    for row in rows:
        person = people.setdefault(row["person_id"], {"events": {}, "last_event_at": None})
        person["events"][row["event"]] = {
            "events": int(row["events"]),
            "weight": weights.get(row["event"], 0.0),
            "points": round(float(row["points"]), 6),
        }
        last = row["last_at"]
        if person["last_event_at"] is None or last > person["last_event_at"]:
            person["last_event_at"] = last
    return [
        PersonScore(
            person_id=person_id,
            value=round(sum(e["points"] for e in data["events"].values()), 6),
            breakdown={**data, "half_life_days": half_life_days},
        )
        for person_id, data in sorted(people.items())
    ]
