"""`analyze` over many experiments at once: every reason path gives NaN figures and the reason
(never an exception), the vectorised pass equals one experiment at a time, and the family of a
multiple-testing correction is one experiment's goal and secondary metrics."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shared.experiments.stats import REASONS, AnalysisSettings, analyze
from shared.experiments.stats.analyze import FIGURES


def row(
    experiment: str, metric: str, index: int, users: float, total: float, **extra: Any
) -> dict[str, Any]:
    return {
        "experiment_id": experiment,
        "metric_id": metric,
        "metric_kind": extra.pop("kind", "binomial"),
        "metric_role": extra.pop("role", "goal"),
        "variant_id": f"v{index}",
        "variant_index": index,
        "users": users,
        "main_sum": total,
        "main_sum_squares": extra.pop("squares", total),
        **extra,
    }


@pytest.mark.parametrize(
    ("control", "variant", "extra", "reason"),
    [
        ((0, 0), (500, 50), {}, "empty arm"),
        ((500, 50), (0, 0), {}, "empty arm"),
        ((20, 2), (500, 50), {}, "too few users"),
        ((500, 0), (500, 50), {}, "control mean is zero"),
        ((500, 50), (500, 0), {}, "zero variance"),
        ((500, 50), (500, 500), {}, "zero variance"),
        ((500, 1000), (500, 1000), {"kind": "mean", "squares": 2000}, "zero variance"),
        ((500, 1000), (500, 900), {"kind": "mean", "squares": math.nan}, "incomplete moments"),
    ],
)
def test_every_reason_gives_nan_figures(
    control: tuple[int, int], variant: tuple[int, int], extra: dict[str, Any], reason: str
) -> None:
    frame = pd.DataFrame(
        [row("e", "m", 0, *control, **dict(extra)), row("e", "m", 1, *variant, **dict(extra))]
    )
    result = analyze(frame, AnalysisSettings(sequential=True, min_users=100)).iloc[0]
    assert result["reason"] == reason
    assert reason in REASONS
    assert all(math.isnan(result[name]) for name in FIGURES)
    assert result["significant"] is pd.NA
    assert not result["cuped_applied"]


def test_a_missing_control_row_is_an_empty_arm() -> None:
    result = analyze(pd.DataFrame([row("e", "m", 1, 500, 50)]))
    assert result["reason"].tolist() == ["empty arm"]
    assert result["control_users"].tolist() == [0]


def test_null_sums_of_a_ratio_with_no_denominator_are_a_reason_not_an_error() -> None:
    frame = pd.DataFrame(
        [
            row(
                "e",
                "m",
                i,
                500,
                40.0,
                kind="ratio",
                squares=60.0,
                denominator_sum=0.0,
                denominator_sum_squares=0.0,
                main_denominator_sum_product=0.0,
            )
            for i in (0, 1)
        ]
    )
    assert analyze(frame)["reason"].tolist() == ["control mean is zero"]


def _world(rng: np.random.Generator, experiments: int) -> pd.DataFrame:
    rows = []
    for e in range(experiments):
        for metric, kind, role in (
            ("cr", "binomial", "goal"),
            ("rev", "mean", "secondary"),
            ("bounce", "binomial", "guardrail"),
        ):
            for index in range(3):
                users = float(rng.integers(50, 5_000))
                total = float(rng.binomial(int(users), 0.1))
                squares = total * 30.0 if kind == "mean" else total
                extra = {
                    "covariate_sum": total * 0.9,
                    "main_covariate_sum_product": total * 0.5,
                    "covariate_sum_squares": squares * 0.8,
                }
                rows.append(
                    row(
                        f"e{e}",
                        metric,
                        index,
                        users,
                        total,
                        kind=kind,
                        role=role,
                        squares=squares,
                        **(extra if e % 2 else {}),
                    )
                )
    return pd.DataFrame(rows)


def test_vectorised_pass_equals_one_experiment_at_a_time() -> None:
    frame = _world(np.random.default_rng(3), 12)
    settings = AnalysisSettings(sequential=True, prior=(0.0, 0.05))
    together = analyze(frame, settings)
    alone = pd.concat(
        [analyze(part, settings) for _, part in frame.groupby("experiment_id", sort=False)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(together, alone)


def test_correction_family_is_one_experiments_goal_and_secondary_metrics() -> None:
    frame = _world(np.random.default_rng(5), 4)
    result = analyze(frame, AnalysisSettings(correction="holm-bonferroni"))
    guardrail = result["metric_role"] == "guardrail"
    computed = result["reason"].isna()
    assert (result.loc[guardrail, "p_value_adjusted"] == result.loc[guardrail, "p_value"]).all()
    family = result.loc[~guardrail & computed]
    assert (family["p_value_adjusted"] >= family["p_value"]).all()
    for _, part in family.groupby("experiment_id"):
        smallest = part["p_value"].min()
        assert math.isclose(part["p_value_adjusted"].min(), min(1.0, smallest * len(part)))


def test_org_id_keeps_equal_experiment_ids_apart() -> None:
    frame = pd.DataFrame(
        [
            {**row("e", "m", i, 1_000, 100 + 20 * i), "org_id": org}
            for org in ("org-a", "org-b")
            for i in (0, 1)
        ]
    )
    frame.loc[frame["org_id"] == "org-b", "main_sum"] = [100, 100]
    frame["main_sum_squares"] = frame["main_sum"]
    result = analyze(frame).set_index("org_id")
    assert result.loc["org-a", "lift"] == pytest.approx(0.2)
    assert result.loc["org-b", "lift"] == pytest.approx(0.0)
