"""The engine's per-comparison figures: hand-computed cases and properties that must hold for
any input (p-values are probabilities, intervals contain the lift, swapping arms flips it)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from shared.experiments.stats import AnalysisSettings, analyze

LOOSE = AnalysisSettings(min_users=1, correction="none")


def arms(kind: str, control: dict[str, float], variant: dict[str, float]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for index, sums in enumerate((control, variant)):
        rows.append(
            {
                "experiment_id": "e",
                "metric_id": "m",
                "metric_kind": kind,
                "variant_id": "control" if index == 0 else "b",
                "variant_index": index,
                **sums,
            }
        )
    return pd.DataFrame(rows)


def binomial(n: float, conversions: float) -> dict[str, float]:
    return {"users": n, "main_sum": conversions, "main_sum_squares": conversions}


def one(frame: pd.DataFrame, settings: AnalysisSettings = LOOSE) -> pd.Series:
    result = analyze(frame, settings)
    assert len(result) == 1
    return result.iloc[0]


def test_two_proportion_lift_and_p_value_by_hand() -> None:
    row = one(arms("binomial", binomial(10_000, 500), binomial(10_000, 600)))
    pa, pb = 0.05, 0.06
    variance = pb * (1 - pb) / (pa**2 * 10_000) + pa * (1 - pa) * pb**2 / (pa**4 * 10_000)
    va, vb = pa * (1 - pa) / 10_000, pb * (1 - pb) / 10_000
    dof = (va + vb) ** 2 / (va**2 / 9_999 + vb**2 / 9_999)
    z = 0.2 / math.sqrt(variance)
    assert math.isclose(row["lift"], 0.2)
    assert math.isclose(row["lift_stddev"], math.sqrt(variance))
    assert math.isclose(row["p_value"], 2 * stats.t.sf(z, dof))
    width = stats.t.ppf(0.975, dof) * math.sqrt(variance)
    assert math.isclose(row["lift_ci_low"], 0.2 - width)
    assert math.isclose(row["lift_ci_high"], 0.2 + width)
    assert row["significant"]
    assert row["reason"] is None


def test_mean_metric_uses_welch_sample_variance() -> None:
    control = {"users": 4.0, "main_sum": 10.0, "main_sum_squares": 30.0}  # 1, 2, 3, 4
    variant = {"users": 4.0, "main_sum": 14.0, "main_sum_squares": 54.0}  # 2, 3, 4, 5
    row = one(arms("mean", control, variant))
    var = 5 / 3  # sample variance of 1..4 and 2..5
    variance = var / (2.5**2 * 4) + var * 3.5**2 / (2.5**4 * 4)
    assert math.isclose(row["lift"], 0.4)
    assert math.isclose(row["lift_stddev"], math.sqrt(variance))
    assert math.isclose(row["control_mean"], 2.5)
    assert math.isclose(row["variant_mean"], 3.5)


def test_ratio_metric_uses_the_delta_method() -> None:
    part = {
        "users": 3.0,
        "main_sum": 6.0,
        "main_sum_squares": 14.0,  # 1, 2, 3
        "denominator_sum": 12.0,
        "denominator_sum_squares": 50.0,  # 3, 4, 5
        "main_denominator_sum_product": 26.0,
    }
    row = one(arms("ratio", part, {**part, "main_sum": 9.0, "main_sum_squares": 29.0}))
    assert math.isclose(row["control_mean"], 0.5)
    assert math.isclose(row["variant_mean"], 0.75)
    assert math.isclose(row["lift"], 0.5)


def test_one_sided_test_halves_a_positive_two_sided_p() -> None:
    frame = arms("binomial", binomial(5_000, 250), binomial(5_000, 290))
    two = one(frame)
    greater = one(frame, AnalysisSettings(min_users=1, correction="none", two_sided=False))
    assert math.isclose(greater["p_value"], two["p_value"] / 2)
    assert greater["lift_ci_high"] == math.inf
    assert greater["lift_ci_low"] > two["lift_ci_low"]


def test_sequential_interval_is_wider_than_the_fixed_horizon_one() -> None:
    frame = arms("binomial", binomial(5_000, 250), binomial(5_000, 290))
    row = one(frame, AnalysisSettings(min_users=1, sequential=True))
    assert row["sequential_ci_low"] < row["lift_ci_low"] < row["lift"]
    assert row["sequential_ci_high"] > row["lift_ci_high"]
    assert row["sequential_p_value"] >= row["p_value"]
    assert row["p_value_adjusted"] == row["sequential_p_value"]


def test_proper_prior_shrinks_the_posterior_towards_its_mean() -> None:
    frame = arms("binomial", binomial(500, 25), binomial(500, 40))
    flat = one(frame)
    shrunk = one(frame, AnalysisSettings(min_users=1, prior=(0.0, 0.01)))
    assert abs(shrunk["credible_low"] + shrunk["credible_high"]) < abs(
        flat["credible_low"] + flat["credible_high"]
    )
    assert 0.5 < shrunk["chance_to_win"] < flat["chance_to_win"]


def test_cuped_with_a_correlated_covariate_narrows_the_interval() -> None:
    control = {**binomial(2_000, 200), "covariate_sum": 180.0, "main_covariate_sum_product": 150.0}
    variant = {**binomial(2_000, 240), "covariate_sum": 185.0, "main_covariate_sum_product": 170.0}
    with_pre = one(arms("binomial", control, variant))
    plain = one(arms("binomial", binomial(2_000, 200), binomial(2_000, 240)))
    assert with_pre["cuped_applied"]
    assert with_pre["theta"] > 0
    assert with_pre["lift_stddev"] < plain["lift_stddev"]
    assert with_pre["control_mean"] == plain["control_mean"]  # counts stay unadjusted


def test_cuped_can_be_switched_off() -> None:
    control = {**binomial(2_000, 200), "covariate_sum": 180.0, "main_covariate_sum_product": 150.0}
    variant = {**binomial(2_000, 240), "covariate_sum": 185.0, "main_covariate_sum_product": 170.0}
    row = one(arms("binomial", control, variant), AnalysisSettings(min_users=1, cuped=False))
    assert not row["cuped_applied"]
    assert math.isnan(row["theta"])


counts = st.integers(min_value=2, max_value=100_000)


@settings(max_examples=60, deadline=None)
@given(counts, counts, st.floats(0.01, 0.99), st.floats(0.01, 0.99), st.booleans())
def test_figures_are_probabilities_and_intervals_contain_the_lift(
    n_a: int, n_b: int, rate_a: float, rate_b: float, sequential: bool
) -> None:
    conv_a, conv_b = max(1, round(n_a * rate_a)), max(1, round(n_b * rate_b))
    frame = arms(
        "binomial", binomial(n_a, min(conv_a, n_a - 1)), binomial(n_b, min(conv_b, n_b - 1))
    )
    row = one(frame, AnalysisSettings(min_users=1, sequential=sequential))
    assert row["reason"] is None
    for name in ("p_value", "p_value_adjusted", "chance_to_win"):
        assert 0 <= row[name] <= 1
    assert row["lift_ci_low"] <= row["lift"] <= row["lift_ci_high"]
    assert row["credible_low"] <= row["lift"] <= row["credible_high"]
    assert row["risk_control"] >= 0
    assert row["risk_variant"] >= 0
    if sequential:
        assert row["sequential_ci_low"] <= row["lift"] <= row["sequential_ci_high"]


@settings(max_examples=40, deadline=None)
@given(counts, counts, st.floats(0.01, 0.99), st.floats(0.01, 0.99))
def test_swapping_the_arms_flips_the_sign_of_the_lift(
    n_a: int, n_b: int, rate_a: float, rate_b: float
) -> None:
    a = binomial(n_a, min(max(1, round(n_a * rate_a)), n_a - 1))
    b = binomial(n_b, min(max(1, round(n_b * rate_b)), n_b - 1))
    forward, backward = one(arms("binomial", a, b)), one(arms("binomial", b, a))
    assert np.sign(forward["lift"]) == -np.sign(backward["lift"])
    assert (forward["chance_to_win"] - 0.5) * (backward["chance_to_win"] - 0.5) <= 0
