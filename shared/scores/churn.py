"""Churn risk from 0 to 100: a weighted mean of component risks, each from 0 (no sign of
leaving) to 1, with each component's contribution in points and the reasons behind the score.

- p_alive: 1 - P(alive) from the BG/NBD fit of the lifetime-value run (buyers only);
- recency: days since the person's last journey event over RECENCY_FULL_DAYS (capped at 1);
- frequency_trend: the drop in events between the prior and the recent TREND_WINDOW_DAYS
  window (0 when activity held or grew; unknown without events in the prior window);
- sentiment: (1 - mean sentiment of their feedback) / 2 (unknown without scored feedback).

An unknown component is left out and the weights of the known ones are rescaled, so a person
with no purchases is scored on what is known of them, and the breakdown names what was
missing and why. A person with no known component gets no score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WEIGHTS: dict[str, float] = {
    "p_alive": 0.40,
    "recency": 0.25,
    "frequency_trend": 0.20,
    "sentiment": 0.15,
}
RECENCY_FULL_DAYS = 180.0
TREND_WINDOW_DAYS = 90
REASON_MIN_POINTS = 10.0
"""A component adding at least this many points is named among the score's reasons."""


@dataclass(frozen=True)
class ChurnInputs:
    p_alive: float | None
    days_since_last_event: float | None
    recent_events: int
    prior_events: int
    mean_sentiment: float | None


@dataclass(frozen=True)
class ChurnRisk:
    value: float
    components: dict[str, dict[str, Any]]
    reasons: list[str]


def component_risks(inputs: ChurnInputs) -> dict[str, tuple[float | None, str]]:
    """Each component's risk (None when unknown) and its explanation."""
    risks: dict[str, tuple[float | None, str]] = {}
    if inputs.p_alive is None:
        risks["p_alive"] = (None, "no purchase model for this person (not a buyer, or no fit)")
    else:
        risks["p_alive"] = (1 - inputs.p_alive, f"P(alive) is {inputs.p_alive:.2f}")
    if inputs.days_since_last_event is None:
        risks["recency"] = (None, "no journey event in the window")
    else:
        days = inputs.days_since_last_event
        risks["recency"] = (min(days / RECENCY_FULL_DAYS, 1.0), f"last seen {days:.0f} days ago")
    recent, prior = inputs.recent_events, inputs.prior_events
    if prior == 0:
        risks["frequency_trend"] = (
            (0.0, f"{recent} events in the last {TREND_WINDOW_DAYS} days, none before")
            if recent
            else (None, f"no event in the last {2 * TREND_WINDOW_DAYS} days")
        )
    else:
        drop = max(prior - recent, 0) / prior
        risks["frequency_trend"] = (
            drop,
            f"events fell from {prior} to {recent} between the last two "
            f"{TREND_WINDOW_DAYS}-day windows"
            if drop
            else f"events held or grew ({prior} -> {recent})",
        )
    if inputs.mean_sentiment is None:
        risks["sentiment"] = (None, "no scored feedback")
    else:
        mean = inputs.mean_sentiment
        risks["sentiment"] = ((1 - mean) / 2, f"feedback sentiment averages {mean:+.2f}")
    return risks


def churn_risk(inputs: ChurnInputs) -> ChurnRisk | None:
    """The score, the components with their weight and contribution, and the reasons (the
    components adding at least REASON_MIN_POINTS, largest first)."""
    risks = component_risks(inputs)
    known = {name: risk for name, (risk, _) in risks.items() if risk is not None}
    if not known:
        return None
    total_weight = sum(WEIGHTS[name] for name in known)
    components: dict[str, dict[str, Any]] = {}
    for name, (risk, explanation) in risks.items():
        weight = WEIGHTS[name] / total_weight if risk is not None else 0.0
        points = 100 * weight * risk if risk is not None else None
        components[name] = {
            "risk": None if risk is None else round(risk, 6),
            "weight": round(weight, 6),
            "points": None if points is None else round(points, 6),
            "explanation": explanation,
        }
    value = round(sum(c["points"] for c in components.values() if c["points"] is not None), 6)
    ranked = sorted(
        (c for c in components.values() if (c["points"] or 0) >= REASON_MIN_POINTS),
        key=lambda c: -float(c["points"]),
    )
    return ChurnRisk(value, components, [c["explanation"] for c in ranked])
