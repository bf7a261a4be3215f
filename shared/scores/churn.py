"""Churn risk from 0 to 100: a weighted mean of component risks, each from 0 (no sign of
leaving) to 1, with each component's contribution in points and the reasons behind the score.

- p_alive: 1 - P(alive) from the BG/NBD fit of the lifetime-value run, for buyers with at least
  one repeat purchase day. BG/NBD lets a customer drop out only right after a repeat purchase,
  so its P(alive) is 1 by construction for a one-time buyer, however long ago they bought
  (Fader, Hardie and Lee 2005, eq. 13; lifetimes' `conditional_probability_alive` returns 1
  for frequency 0; the MBG/NBD variant exists to fix this). That 1 is a property of the model,
  not a fact about the customer, so for a one-time buyer the component is unknown and the
  other components carry the score;
- recency: how unusual the person's silence is for the organization: the share of its return
  gaps (the days between a person's consecutive days with a journey event, over the
  lifetime-value look-back of two years) shorter than the time since this person's last
  event: a month of silence is nothing where people come back twice a year and a lot where
  they come back weekly. With fewer than
  MIN_RETURN_GAPS gaps that reference is too coarse, and the silence counts linearly up to
  RECENCY_FULL_DAYS instead;
- frequency_trend: the drop in events between the prior and the recent TREND_WINDOW_DAYS
  window (0 when activity held or grew). Unknown without events in the prior window: a person
  first active in the recent window (new, or already gone again) has no earlier activity to
  compare with, and counting that as "no drop" would pull a lapsing person's score down;
- sentiment: (1 - mean sentiment of their feedback) / 2 (unknown without scored feedback).

An unknown component is left out and the weights of the known ones are rescaled, so a person
with no purchases is scored on what is known of them, and the breakdown names what was
missing and why. A person with no known component gets no score.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

WEIGHTS: dict[str, float] = {
    "p_alive": 0.40,
    "recency": 0.25,
    "frequency_trend": 0.20,
    "sentiment": 0.15,
}
RECENCY_FULL_DAYS = 180.0
"""The linear recency's full risk, used while an organization has too few return gaps."""
MIN_RETURN_GAPS = 30
"""Return gaps an organization needs before its own rhythm is the recency reference."""
TREND_WINDOW_DAYS = 90
REASON_MIN_POINTS = 10.0
"""A component adding at least this many points is named among the score's reasons."""


@dataclass(frozen=True)
class ReturnGaps:
    """An organization's return gaps: the lengths in days, ascending, and how many gaps are
    shorter than each (cumulative, from 0; one more entry than `days`: the total)."""

    days: tuple[int, ...]
    shorter: tuple[int, ...]

    @classmethod
    def of(cls, rows: Iterable[Mapping[str, Any]]) -> ReturnGaps:
        """From rows of `gap_days` and `gaps` (scores_churn_return_gaps.sql)."""
        pairs = sorted((int(r["gap_days"]), int(r["gaps"])) for r in rows)
        counts = (n for _, n in pairs)
        return cls(tuple(d for d, _ in pairs), tuple(accumulate(counts, initial=0)))

    @property
    def total(self) -> int:
        return self.shorter[-1]

    def share_shorter_than(self, days: float) -> float:
        """The share of the gaps shorter than `days` (0 without gaps)."""
        if not self.total:
            return 0.0
        return self.shorter[bisect_left(self.days, days)] / self.total


@dataclass(frozen=True)
class ChurnInputs:
    p_alive: float | None
    days_since_last_event: float | None
    recent_events: int
    prior_events: int
    mean_sentiment: float | None
    repeat_purchases: int | None = None
    """Repeat purchase days in the BG/NBD fit (None: not known); 0 leaves P(alive) unknown."""
    return_gaps: ReturnGaps | None = None
    """The organization's return gaps (None: not known, recency is linear)."""


@dataclass(frozen=True)
class ChurnRisk:
    value: float
    components: dict[str, dict[str, Any]]
    reasons: list[str]


def component_risks(inputs: ChurnInputs) -> dict[str, tuple[float | None, str]]:
    """Each component's risk (None when unknown) and its explanation."""
    return {
        "p_alive": _p_alive(inputs),
        "recency": _recency(inputs),
        "frequency_trend": _frequency_trend(inputs),
        "sentiment": _sentiment(inputs),
    }


def _p_alive(inputs: ChurnInputs) -> tuple[float | None, str]:
    if inputs.p_alive is None:
        return None, "no purchase model for this person (not a buyer, or no fit)"
    if inputs.repeat_purchases == 0:
        return None, "one purchase day only: BG/NBD's P(alive) is 1 for any one-time buyer"
    return 1 - inputs.p_alive, f"P(alive) is {inputs.p_alive:.2f}"


def _recency(inputs: ChurnInputs) -> tuple[float | None, str]:
    days = inputs.days_since_last_event
    if days is None:
        return None, "no journey event in the window"
    gaps = inputs.return_gaps
    if gaps is None or gaps.total < MIN_RETURN_GAPS:
        return min(days / RECENCY_FULL_DAYS, 1.0), f"last seen {days:.0f} days ago"
    share = gaps.share_shorter_than(days)
    return share, (
        f"last seen {days:.0f} days ago; {share:.0%} of the organization's {gaps.total} "
        "return gaps were shorter"
    )


def _frequency_trend(inputs: ChurnInputs) -> tuple[float | None, str]:
    recent, prior, window = inputs.recent_events, inputs.prior_events, TREND_WINDOW_DAYS
    if prior == 0:
        if recent:
            return None, (
                f"{recent} events in the last {window} days and none in the {window} before: "
                "no earlier activity to compare with"
            )
        return None, f"no event in the last {2 * window} days"
    drop = max(prior - recent, 0) / prior
    if drop:
        return drop, (
            f"events fell from {prior} to {recent} between the last two {window}-day windows"
        )
    return drop, f"events held or grew ({prior} -> {recent})"


def _sentiment(inputs: ChurnInputs) -> tuple[float | None, str]:
    if inputs.mean_sentiment is None:
        return None, "no scored feedback"
    mean = inputs.mean_sentiment
    return (1 - mean) / 2, f"feedback sentiment averages {mean:+.2f}"


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
