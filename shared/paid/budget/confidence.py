"""How sure a recommendation is, in one plain word, from the history behind it.

A channel's label is the highest of `strong` and `moderate` whose every threshold in
THRESHOLDS it meets (days of history, coefficient of variation of daily spend, width of the
bootstrap interval relative to the expected goal at the recommendation, R^2 of the curve), else
`directional`: the advice shows which way to move, not by how much.

Twenty-eight days are four of each weekday, the least that separates weekday demand from spend;
spend that varies is what lets the curve be measured at all; a narrow bootstrap interval and a
curve that explains the days say the measurement came out clear. A recommendation beyond the
spend the channel has ever had (`extrapolating`) is `directional` whatever the rest: the curve
there is the formula's guess. Without an interval (no bootstrap, or every refit failed) a
channel cannot be `moderate` or better. The whole recommendation carries its weakest channel's
label, since every channel's share depends on every other's curve. `reasons` says, for each
threshold missed, what was seen and what the next label needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Confidence = Literal["directional", "moderate", "strong"]
ORDER: tuple[Confidence, ...] = ("directional", "moderate", "strong")


@dataclass(frozen=True)
class LabelThresholds:
    min_days: int
    min_spend_cv: float
    max_relative_interval: float
    min_r2: float


THRESHOLDS: dict[Confidence, LabelThresholds] = {
    "moderate": LabelThresholds(
        min_days=28, min_spend_cv=0.15, max_relative_interval=0.5, min_r2=0.3
    ),
    "strong": LabelThresholds(
        min_days=56, min_spend_cv=0.25, max_relative_interval=0.25, min_r2=0.6
    ),
}


@dataclass(frozen=True)
class Evidence:
    days: int
    spend_cv: float
    relative_interval: float | None
    """(high - low) / expected goal at the recommendation; None when there is no interval."""
    r2: float
    extrapolating: bool


def missed(evidence: Evidence, label: Confidence) -> list[str]:
    """Each threshold of `label` that the evidence does not meet, with what was seen."""
    needs = THRESHOLDS[label]
    gaps = []
    if evidence.days < needs.min_days:
        gaps.append(f"{evidence.days} days of history ({label} needs {needs.min_days})")
    if evidence.spend_cv < needs.min_spend_cv:
        gaps.append(
            f"daily spend varies by {evidence.spend_cv:.2f} (coefficient of variation; "
            f"{label} needs {needs.min_spend_cv:.2f})"
        )
    if evidence.relative_interval is None:
        gaps.append(f"no interval for the expected goal ({label} needs one)")
    elif evidence.relative_interval > needs.max_relative_interval:
        gaps.append(
            f"the interval is {evidence.relative_interval:.0%} of the expected goal "
            f"({label} needs at most {needs.max_relative_interval:.0%})"
        )
    if evidence.r2 < needs.min_r2:
        gaps.append(f"the curve's R^2 is {evidence.r2:.2f} ({label} needs {needs.min_r2:.2f})")
    return gaps


def label(evidence: Evidence) -> tuple[Confidence, tuple[str, ...]]:
    """The label and why it is not the next one up (empty at `strong`)."""
    if evidence.extrapolating:
        why = "the recommendation lies outside the daily spend this channel has had"
        return "directional", (why,)
    if not missed(evidence, "strong"):
        return "strong", ()
    if not missed(evidence, "moderate"):
        return "moderate", tuple(missed(evidence, "strong"))
    return "directional", tuple(missed(evidence, "moderate"))


def weakest(labels: Iterable[Confidence]) -> Confidence | None:
    ranks = [ORDER.index(item) for item in labels]
    return ORDER[min(ranks)] if ranks else None
