"""Experiments as the API takes and returns them.

An experiment tests 2 to 10 variants (index 0 is the control) on one site, split by weights
(any non-negative numbers with a positive sum; assignment uses each one's share of the sum).
It has exactly one goal metric, and may add secondary metrics (analysed and corrected for
multiple testing with the goal) and guardrails (watched for harm in their bad direction).
A metric is a conversion goal's rate (`binomial`), revenue per visitor of one event type
(`mean`, in one currency), or a ratio of two event sums (`ratio`, delta method).

`settings` mirror shared.experiments.stats.AnalysisSettings field for field, so the results
job hands them to the engine unchanged (`analysis_fields`).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from shared.experiments.stats import AnalysisSettings
from shared.experiments.stats.settings import Correction
from shared.model_base import MAX_COUNT, ApiModel, Name, PageLimit, QueryModel, Text, not_null

ExperimentStatus = Literal["draft", "running", "stopped"]
MetricRole = Literal["goal", "secondary", "guardrail"]
MetricKind = Literal["binomial", "mean", "ratio"]
Direction = Literal["increase_is_bad", "decrease_is_bad"]
SourceEventType = Literal[
    "page_view",
    "lead_form_submission",
    "add_to_cart",
    "begin_checkout",
    "purchase",
    "page_engagement",
    "custom",
]

Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""A variant's or metric's id: it travels in tracking events (`variation_id`) and URLs."""
Seed = Annotated[str, Field(min_length=1, max_length=128)]
Weight = Annotated[float, Field(ge=0, le=10**6)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
HASH_VERSION = 2
ENGINE = AnalysisSettings()
"""The engine's defaults, which an experiment's settings start from."""
MIN_VARIANTS, MAX_VARIANTS = 2, 10
MAX_METRICS = 20


class Variant(ApiModel):
    variant_id: Key
    name: Name
    weight: Weight = Field(description="its share of traffic is weight / sum of weights")


class RatioPart(ApiModel):
    """One side of a ratio: the count or the summed value of one event type's events, or of
    one conversion goal's matches."""

    event_type: SourceEventType | None = None
    goal_id: Key | None = Field(default=None, validate_default=True)
    aggregate: Literal["count", "value"]

    @field_validator("goal_id")
    @classmethod
    def _one_source(cls, goal_id: str | None, info: ValidationInfo) -> str | None:
        if (info.data.get("event_type") is None) == (goal_id is None):
            raise ValueError("name exactly one of event_type and goal_id")
        return goal_id


def _optional(description: str) -> Any:
    """A field a metric's kind or role decides; checked even when left out."""
    return Field(default=None, validate_default=True, description=description)


class Metric(ApiModel):
    """Each field a metric's kind or role needs (or forbids) is checked on its own, so the
    error names it; a field after a failed `kind` or `role` is not checked again."""

    metric_id: Key
    role: MetricRole
    kind: MetricKind
    goal_id: Key | None = _optional("binomial: a conversion goal's id")
    event_type: SourceEventType | None = _optional(
        "mean: the event type whose value is summed per visitor"
    )
    numerator: RatioPart | None = _optional("ratio: the sum divided")
    denominator: RatioPart | None = _optional("ratio: the sum divided by")
    currency: Currency | None = _optional("mean, and a ratio summing values: the currency")
    direction: Direction | None = _optional("guardrails only: which way is harm")

    @field_validator("goal_id")
    @classmethod
    def _goal(cls, goal_id: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is not None and (kind == "binomial") != (goal_id is not None):
            raise ValueError("a binomial metric, and only a binomial one, names a goal_id")
        return goal_id

    @field_validator("event_type")
    @classmethod
    def _event_type(cls, event_type: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is not None and kind != "mean" and event_type is not None:
            raise ValueError("only a mean metric names an event type")
        return "purchase" if kind == "mean" and event_type is None else event_type

    @field_validator("numerator", "denominator")
    @classmethod
    def _ratio_part(cls, part: RatioPart | None, info: ValidationInfo) -> RatioPart | None:
        kind = info.data.get("kind")
        if kind == "ratio" and part is None:
            raise ValueError("a ratio metric names its numerator and denominator")
        if kind is not None and kind != "ratio" and part is not None:
            raise ValueError("only a ratio metric has a numerator and denominator")
        return part

    @field_validator("currency")
    @classmethod
    def _currency(cls, currency: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is None or (
            kind == "ratio" and not {"numerator", "denominator"} <= info.data.keys()
        ):
            return currency  # the kind or a ratio's part is already reported
        parts = (info.data.get("numerator"), info.data.get("denominator"))
        sums_value = kind == "mean" or any(p is not None and p.aggregate == "value" for p in parts)
        if sums_value and currency is None:
            raise ValueError("a metric that sums values counts one currency")
        if not sums_value and currency is not None:
            raise ValueError("only a metric that sums values has a currency")
        return currency

    @field_validator("direction")
    @classmethod
    def _direction(cls, direction: str | None, info: ValidationInfo) -> str | None:
        role = info.data.get("role")
        if role is not None and (role == "guardrail") != (direction is not None):
            raise ValueError("a guardrail, and only a guardrail, says which direction is bad")
        return direction


class Prior(ApiModel):
    """A proper normal prior on the relative lift (gbstats GaussianPrior)."""

    mean: Annotated[float, Field(ge=-10, le=10)] = 0.0
    variance: Annotated[float, Field(gt=0, le=10**6)] = 1.0


class ExperimentSettings(ApiModel):
    """How the results are computed; the defaults are the engine's own."""

    alpha: Annotated[float, Field(gt=0, lt=0.5)] = ENGINE.alpha
    two_sided: bool = ENGINE.two_sided
    prior: Prior | None = Field(default=None, description="null: flat (improper) prior")
    sequential: bool = ENGINE.sequential
    sequential_tuning: Annotated[float, Field(ge=1, le=10**9)] = Field(
        default=ENGINE.sequential_tuning,
        description="gbstats sequential_tuning_parameter: the sample size tuned for",
    )
    cuped: bool = ENGINE.cuped
    correction: Correction = ENGINE.correction
    srm_threshold: Annotated[float, Field(gt=0, lt=0.5)] = ENGINE.srm_threshold
    min_users: Annotated[int, Field(ge=1, le=10**6)] = Field(
        default=ENGINE.min_users, description="per arm; below it a result says 'too few users'"
    )

    def analysis_fields(self) -> dict[str, Any]:
        """The keyword arguments of shared.experiments.stats.AnalysisSettings."""
        fields = self.model_dump()
        fields["prior"] = None if self.prior is None else (self.prior.mean, self.prior.variance)
        return fields


def check_variants(variants: list[Variant]) -> list[Variant]:
    ids = [v.variant_id for v in variants]
    if len(set(ids)) != len(ids):
        raise ValueError("each variant_id is used once")
    total = math.fsum(v.weight for v in variants)
    if not total > 0:
        raise ValueError("the weights must sum to a positive number")
    return variants


def check_metrics(metrics: list[Metric]) -> list[Metric]:
    ids = [m.metric_id for m in metrics]
    if len(set(ids)) != len(ids):
        raise ValueError("each metric_id is used once")
    if sum(m.role == "goal" for m in metrics) != 1:
        raise ValueError("exactly one metric has the role goal")
    return metrics


Variants = Annotated[list[Variant], Field(min_length=MIN_VARIANTS, max_length=MAX_VARIANTS)]
Metrics = Annotated[list[Metric], Field(min_length=1, max_length=MAX_METRICS)]
Mde = Annotated[float, Field(gt=0, le=10, description="relative, e.g. 0.05 for +5%")]
SampleSize = Annotated[int, Field(ge=1, le=MAX_COUNT)]


class ExperimentCreate(ApiModel):
    name: Name
    site_id: Key = Field(description="one of the organization's sites (where it is assigned)")
    hypothesis: Text = ""
    seed: Seed | None = Field(default=None, description="the hash seed; the experiment_id")
    variants: Variants
    metrics: Metrics
    mde: Mde
    planned_sample_size: SampleSize | None = None
    settings: ExperimentSettings = Field(default_factory=ExperimentSettings)

    _variants = field_validator("variants")(check_variants)
    _metrics = field_validator("metrics")(check_metrics)


class ExperimentUpdate(ApiModel):
    """Fields sent replace the stored ones (`variants` and `metrics` as whole lists). A running
    or stopped experiment's variants and weights are frozen: sending them changed is a 409."""

    name: Name | None = None
    hypothesis: Text | None = None
    variants: Variants | None = None
    metrics: Metrics | None = None
    mde: Mde | None = None
    planned_sample_size: SampleSize | None = None
    settings: ExperimentSettings | None = None

    _required = not_null("name", "hypothesis", "variants", "metrics", "mde", "settings")

    @field_validator("variants")
    @classmethod
    def _variants(cls, variants: list[Variant] | None) -> list[Variant] | None:
        return None if variants is None else check_variants(variants)

    @field_validator("metrics")
    @classmethod
    def _metrics(cls, metrics: list[Metric] | None) -> list[Metric] | None:
        return None if metrics is None else check_metrics(metrics)


class Experiment(BaseModel):
    experiment_id: str
    site_id: str
    name: str
    hypothesis: str
    status: ExperimentStatus
    seed: str = Field(description="GrowthBook hash seed")
    hash_version: int = Field(description="GrowthBook hash version (2)")
    variants: list[Variant]
    metrics: list[Metric]
    mde: float
    planned_sample_size: int | None
    settings: ExperimentSettings
    revision: int = Field(description="1 at creation, one more on each change")
    started_at: datetime | None
    stopped_at: datetime | None
    created_at: datetime
    created_by: str
    updated_at: datetime


class ExperimentListQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None
    status: ExperimentStatus | None = None


class AssignRequest(ApiModel):
    visitor_id: Annotated[str, Field(min_length=1, max_length=128)]
    site_key: str | None = Field(
        default=None, max_length=100, description="else the X-Site-Key header or ?site_key="
    )


class Assignment(BaseModel):
    experiment_id: str
    variant_id: str
    variant_index: int = Field(ge=0, lt=MAX_VARIANTS, description="0 is the control")
    hash_seed: str
    in_experiment: bool = Field(description="false: the control is shown, not counted")


class PowerQuery(QueryModel):
    """`mde`, `alpha` and sidedness default to the experiment's; the split is its weights."""

    baseline_rate: Annotated[float, Field(gt=0, lt=1)]
    mde: Mde | None = None
    alpha: Annotated[float, Field(gt=0, lt=0.5)] | None = None
    power: Annotated[float, Field(gt=0.5, lt=1)] = 0.8


class ResultsQuery(QueryModel):
    at: datetime | None = Field(
        default=None, description="the latest run at or before this time (default: now)"
    )


class VariantSize(BaseModel):
    variant_id: str
    share: float = Field(description="its share of visitors (weight / sum of weights)")
    users: int | None = Field(description="visitors it needs; null when it cannot be computed")


class PowerReply(BaseModel):
    """Visitors needed to detect a relative lift of `mde` on a conversion rate of
    `baseline_rate` (at `alpha`, with `power`), split as the experiment's weights; with several
    variants, enough for every comparison with the control."""

    experiment_id: str
    baseline_rate: float
    mde: float
    alpha: float
    power: float
    two_sided: bool
    variants: list[VariantSize]
    total_users: int | None
    planned_sample_size: int | None = Field(description="the experiment's own plan, as stored")
    reason: str | None = Field(description="why a size is null (e.g. the lift passes a rate of 1)")
