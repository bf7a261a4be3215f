"""An experiment's definition is checked when it is written, each error naming its field: the
split (weights with a positive sum, distinct variants), the metrics (one goal; each kind with
exactly the fields it needs), and settings within the bounds the engine can use."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.errors import ValidationFailed
from shared.experiments.models import (
    ExperimentCreate,
    ExperimentSettings,
    ExperimentUpdate,
    Metric,
    PowerQuery,
)


def variants(*weights: float) -> list[dict[str, Any]]:
    return [{"variant_id": f"v{i}", "name": f"V{i}", "weight": w} for i, w in enumerate(weights)]


GOAL = {"metric_id": "signup", "role": "goal", "kind": "binomial", "goal_id": "g1"}


def create(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Landing page",
        "site_id": "site1",
        "variants": variants(50, 50),
        "metrics": [GOAL],
        "mde": 0.05,
        **overrides,
    }


def field_of(model: type[Any], data: dict[str, Any]) -> str | None:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    return ValidationFailed.from_pydantic(raised.value).field


def test_a_minimal_experiment_takes_the_engines_defaults() -> None:
    experiment = ExperimentCreate.model_validate(create())
    assert experiment.settings == ExperimentSettings()
    assert experiment.settings.alpha == 0.05
    assert experiment.settings.correction == "holm-bonferroni"
    assert experiment.seed is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"variants": variants(0, 0)}, "variants"),
        ({"variants": variants(-1, 2)}, "variants.0.weight"),
        ({"variants": variants(1)}, "variants"),
        ({"variants": variants(*[1] * 11)}, "variants"),
        ({"variants": [*variants(1), *variants(1)]}, "variants"),
        ({"variants": variants(float("nan"), 1)}, "variants.0.weight"),
        ({"metrics": []}, "metrics"),
        ({"metrics": [{**GOAL, "role": "secondary"}]}, "metrics"),
        ({"metrics": [GOAL, GOAL]}, "metrics"),
        ({"metrics": [{**GOAL, "kind": "median"}]}, "metrics.0.kind"),
        ({"metrics": [{**GOAL, "goal_id": None}]}, "metrics.0.goal_id"),
        ({"metrics": [{**GOAL, "event_type": "purchase"}]}, "metrics.0.event_type"),
        ({"metrics": [{**GOAL, "currency": "EUR"}]}, "metrics.0.currency"),
        ({"metrics": [{**GOAL, "direction": "increase_is_bad"}]}, "metrics.0.direction"),
        ({"mde": 0}, "mde"),
        ({"mde": float("inf")}, "mde"),
        ({"site_id": "../x"}, "site_id"),
        ({"settings": {"alpha": 0.7}}, "settings.alpha"),
        ({"settings": {"correction": "bonferroni"}}, "settings.correction"),
        ({"settings": {"prior": {"mean": 0, "variance": 0}}}, "settings.prior.variance"),
        ({"settings": {"min_users": 0}}, "settings.min_users"),
        ({"planned_sample_size": 0}, "planned_sample_size"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_input_names_the_field(overrides: dict[str, Any], field: str) -> None:
    assert field_of(ExperimentCreate, create(**overrides)) == field


@pytest.mark.parametrize(
    ("metric", "field"),
    [
        ({"kind": "mean", "currency": None}, "currency"),
        ({"kind": "ratio", "currency": None}, "numerator"),
        (
            {"kind": "ratio", "numerator": {"event_type": "purchase", "aggregate": "count"}},
            "denominator",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"event_type": "purchase", "goal_id": "g", "aggregate": "count"},
                "denominator": {"event_type": "page_view", "aggregate": "count"},
            },
            "numerator.goal_id",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"event_type": "purchase", "aggregate": "value"},
                "denominator": {"event_type": "page_view", "aggregate": "count"},
            },
            "currency",
        ),
        ({"role": "guardrail"}, "direction"),
    ],
)
def test_each_kind_and_role_needs_its_fields(metric: dict[str, Any], field: str) -> None:
    data = {"metric_id": "m", "role": "goal", "kind": "binomial", "goal_id": None, **metric}
    if data["kind"] != "binomial":
        data.pop("goal_id")
    if data["role"] == "guardrail":
        data["goal_id"] = "g1"
    assert field_of(Metric, data) == field


def test_a_mean_metric_counts_purchases_by_default() -> None:
    metric = Metric.model_validate(
        {"metric_id": "rpv", "role": "secondary", "kind": "mean", "currency": "EUR"}
    )
    assert metric.event_type == "purchase"


def test_a_ratio_of_counts_has_no_currency() -> None:
    metric = Metric.model_validate(
        {
            "metric_id": "carts_per_view",
            "role": "guardrail",
            "kind": "ratio",
            "numerator": {"event_type": "add_to_cart", "aggregate": "count"},
            "denominator": {"goal_id": "g1", "aggregate": "count"},
            "direction": "decrease_is_bad",
        }
    )
    assert metric.currency is None


def test_settings_become_the_engines_keyword_arguments() -> None:
    settings = ExperimentSettings.model_validate({"prior": {"mean": 0.1, "variance": 0.3}})
    fields = settings.analysis_fields()
    assert fields["prior"] == (0.1, 0.3)
    assert set(fields) == set(ExperimentSettings.model_fields)


@pytest.mark.parametrize("field", ["name", "variants", "metrics", "mde", "settings"])
def test_a_patch_may_leave_out_but_not_null_a_field(field: str) -> None:
    assert field_of(ExperimentUpdate, {field: None}) == field
    assert ExperimentUpdate.model_validate({}).model_fields_set == set()


def test_a_patch_checks_the_split_like_a_create() -> None:
    assert field_of(ExperimentUpdate, {"variants": variants(0, 0)}) == "variants"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "baseline_rate"),
        ({"baseline_rate": "1"}, "baseline_rate"),
        ({"baseline_rate": "0.1", "power": "0.3"}, "power"),
    ],
)
def test_a_power_query_is_bounded(query: dict[str, str], field: str) -> None:
    assert field_of(PowerQuery, query) == field
