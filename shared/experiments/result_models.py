"""An experiment's results as GET /v1/experiments/{id}/results answers them: one stored hourly
run (shared/experiments/results.py), per metric its verdict and per variant its counts, mean
and every figure of the engine (shared.experiments.stats), the control's comparison figures
null. A figure that cannot be computed is null and `reason` says why; an experiment with no run
(or no run at or before `at`) answers every figure null with the reason at the top."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.experiments.models import ExperimentStatus, MetricKind, MetricRole

COMPARISON_FIGURES = (
    "lift",
    "lift_ci_low",
    "lift_ci_high",
    "p_value",
    "p_value_adjusted",
    "significant",
    "chance_to_win",
    "risk_control",
    "risk_variant",
    "credible_low",
    "credible_high",
    "sequential_ci_low",
    "sequential_ci_high",
    "cuped_applied",
    "theta",
)
"""The engine's figures of a variant against the control, stored and answered as they are."""


class SrmVariant(BaseModel):
    variant_id: str
    users: int | None = Field(description="visitors counted in it (from their first exposure)")
    expected_share: float = Field(description="its weight / the sum of weights")
    observed_share: float | None = Field(description="users / all users; null with no users")


class SrmCheck(BaseModel):
    """Sample ratio mismatch: a chi-square test of the users per variant against the weights."""

    p_value: float | None
    flagged: bool = Field(description="p_value below the experiment's srm_threshold")
    threshold: float
    multiple_exposures: int | None = Field(
        description="visitors who saw more than one variant (kept in their first)"
    )
    variants: list[SrmVariant]


class VariantResult(BaseModel):
    variant_id: str
    variant_index: int = Field(description="0 is the control")
    users: int | None
    mean: float | None = Field(
        description="conversion rate, value per visitor (in currency) or the ratio"
    )
    lift: float | None = Field(description="relative: variant mean / control mean - 1")
    lift_ci_low: float | None
    lift_ci_high: float | None
    p_value: float | None
    p_value_adjusted: float | None = Field(description="after the multiple-testing correction")
    significant: bool | None
    chance_to_win: float | None = Field(description="Bayesian: probability it beats control")
    risk_control: float | None = Field(description="expected loss of choosing the control")
    risk_variant: float | None = Field(description="expected loss of choosing this variant")
    credible_low: float | None
    credible_high: float | None
    sequential_ci_low: float | None = Field(description="always-valid interval on the lift")
    sequential_ci_high: float | None
    cuped_applied: bool | None
    theta: float | None = Field(description="CUPED's coefficient, pooled across arms")
    reason: str | None = Field(description="why the figures are null (e.g. 'too few users')")


class Verdict(BaseModel):
    code: str = Field(
        description="variant_wins, control_wins, inconclusive, guardrail_harmed, "
        "untrustworthy or no_data"
    )
    text: str
    details: dict[str, Any] = Field(description="the numbers behind it")


class MetricResult(BaseModel):
    metric_id: str
    role: MetricRole
    kind: MetricKind
    currency: str | None
    verdict: Verdict
    variants: list[VariantResult]


class ExperimentResults(BaseModel):
    experiment_id: str
    name: str
    status: ExperimentStatus
    run_at: datetime | None = Field(description="the hour of the run answered; null: none yet")
    computed_at: datetime | None
    trustworthy: bool = Field(description="false when the SRM check is flagged or no data")
    reason: str | None = Field(description="why there are no figures at all")
    srm: SrmCheck
    metrics: list[MetricResult]


class RecomputeSummary(BaseModel):
    """What one pass of the hourly job did."""

    run_at: datetime
    experiments: int
    rows: int
