"""Net Promoter Score from ratings: the share of promoters (9-10) minus the share of detractors
(0-6), in points from -100 to 100, with its 95 % margin of error and the z-test of a change
between two periods.

Ratings on a 1-5 scale are mapped linearly onto 0-10, (rating - 1) * 2.5: 1 -> 0, 2 -> 2.5,
3 -> 5, 4 -> 7.5, 5 -> 10. A linear map keeps both ends of the scale on the ends of the NPS
scale and the steps equal, so it adds no assumption about what a 1-5 answer means beyond its
order and spacing; on the NPS cut-offs it makes 5 a promoter, 4 a passive and 1-3 detractors,
the grouping commonly used for five-point satisfaction questions.

Standard error of the score as a proportion: each answer scores +1, 0 or -1, whose variance is
p + d - (p - d)^2, so SE = sqrt((p + d - (p - d)^2) / n). The margin is z(0.975) * SE in
points. A change between two independent periods is tested with z = (NPS2 - NPS1) /
sqrt(SE1^2 + SE2^2), two-sided. An empty period gives nulls with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import isfinite, sqrt
from statistics import NormalDist
from typing import Literal

Scale = Literal["0-10", "1-5"]
SCALE_RANGE: dict[str, tuple[int, int]] = {"0-10": (0, 10), "1-5": (1, 5)}
PROMOTER_MIN = 9.0
PASSIVE_MIN = 7.0
ONE_TO_FIVE_STEP = 2.5
CONFIDENCE = 0.95
ALPHA = 0.05
EMPTY_REASON = "no ratings in the period"


def to_nps_scale(rating: float, scale: Scale) -> float:
    """The rating on 0-10; ValueError naming `rating` when it is not a whole number on `scale`."""
    if scale not in SCALE_RANGE:
        raise ValueError(f"scale: must be one of {sorted(SCALE_RANGE)}")
    low, high = SCALE_RANGE[scale]
    if not isfinite(rating) or rating != int(rating) or not low <= rating <= high:
        raise ValueError(f"rating: {rating!r} is not a whole number from {low} to {high}")
    return (rating - 1) * ONE_TO_FIVE_STEP if scale == "1-5" else float(rating)


@dataclass(frozen=True)
class NpsResult:
    """Counts, score and margin (points); score fields None with `reason` when n is 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    standard_error: float | None
    margin_of_error: float | None
    confidence: float
    reason: str | None = None


def nps(
    ratings: Sequence[float], scale: Scale = "0-10", confidence: float = CONFIDENCE
) -> NpsResult:
    """NPS of the ratings (all on `scale`) with its margin at `confidence`."""
    if not 0 < confidence < 1:
        raise ValueError("confidence: must be between 0 and 1")
    mapped = [to_nps_scale(r, scale) for r in ratings]
    n = len(mapped)
    promoters = sum(1 for r in mapped if r >= PROMOTER_MIN)
    passives = sum(1 for r in mapped if PASSIVE_MIN <= r < PROMOTER_MIN)
    detractors = n - promoters - passives
    if n == 0:
        return NpsResult(0, 0, 0, 0, None, None, None, confidence, EMPTY_REASON)
    p, d = promoters / n, detractors / n
    se = sqrt(max(p + d - (p - d) ** 2, 0.0) / n)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    return NpsResult(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        score=(p - d) * 100,
        standard_error=se * 100,
        margin_of_error=z * se * 100,
        confidence=confidence,
    )


@dataclass(frozen=True)
class NpsChange:
    """after - before in points, with the two-sided z-test; None with `reason` when untestable."""

    before: NpsResult
    after: NpsResult
    difference: float | None
    standard_error: float | None
    z: float | None
    p_value: float | None
    significant: bool | None
    alpha: float
    reason: str | None = None


def nps_change(before: NpsResult, after: NpsResult, alpha: float = ALPHA) -> NpsChange:
    """Whether NPS moved between two independent periods, at significance level `alpha`."""
    if not 0 < alpha < 1:
        raise ValueError("alpha: must be between 0 and 1")
    if before.score is None or before.standard_error is None:
        return NpsChange(
            before, after, None, None, None, None, None, alpha, "before: " + EMPTY_REASON
        )
    if after.score is None or after.standard_error is None:
        return NpsChange(
            before, after, None, None, None, None, None, alpha, "after: " + EMPTY_REASON
        )
    difference = after.score - before.score
    se = sqrt(before.standard_error**2 + after.standard_error**2)
    if se == 0:
        reason = "both periods have a single answer type each, so the score has no variance"
        return NpsChange(before, after, difference, 0.0, None, None, None, alpha, reason)
    z = difference / se
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    return NpsChange(before, after, difference, se, z, p_value, p_value < alpha, alpha)
