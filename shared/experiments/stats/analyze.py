"""The engine's entry: every comparison of every experiment in one vectorised pass.

`moments` holds one row per (experiment, metric, variant) with the warehouse moment columns of
the experiments contract, `metric_kind` and, optionally, `metric_role` (guardrails then stay
out of the multiple-testing family), `org_id` and `variant_name` (carried to the verdicts). Each
variant row (variant_index > 0) is paired with its metric's control row (variant_index 0) by a
merge, and every statistic below is computed on whole columns: no Python loop per experiment.

One settings object covers the whole call; experiments with different settings are analysed in
one call per distinct settings (the results job groups them).

Per comparison: per-arm statistics and CUPED (moments.py), the relative lift and its t-test
(frequentist.py), the posterior (bayesian.py), the confidence sequence (sequential.py, when
`sequential`), then p-values adjusted per experiment (multiple.py). The decision p-value (the
one adjusted, and `significant`) is the sequential one when `sequential` is on, else the fixed
horizon test's. A comparison that cannot be computed gets a `reason` (settings.REASONS, first
that holds) and NaN figures, never an exception or a placeholder number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shared.experiments.stats.bayesian import posterior
from shared.experiments.stats.frequentist import Lift, TestResult, relative_lift, t_test
from shared.experiments.stats.moments import ArmMoments, pair_stats
from shared.experiments.stats.multiple import adjust_p_values
from shared.experiments.stats.sequential import confidence_sequence
from shared.experiments.stats.settings import (
    DEFAULTS,
    REASONS,
    AnalysisSettings,
    BoolArray,
    FloatArray,
    ObjectArray,
)

MOMENT_COLUMNS = (
    "users",
    "main_sum",
    "main_sum_squares",
    "denominator_sum",
    "denominator_sum_squares",
    "main_denominator_sum_product",
    "covariate_sum",
    "covariate_sum_squares",
    "main_covariate_sum_product",
)
FIGURES = (
    "control_mean",
    "variant_mean",
    "lift",
    "lift_stddev",
    "lift_ci_low",
    "lift_ci_high",
    "p_value",
    "p_value_adjusted",
    "chance_to_win",
    "risk_control",
    "risk_variant",
    "credible_low",
    "credible_high",
    "sequential_ci_low",
    "sequential_ci_high",
    "sequential_p_value",
    "theta",
)
CORRECTED_ROLES = ("goal", "secondary")


def experiment_keys(frame: pd.DataFrame) -> list[str]:
    """An experiment is named by its id, within its organization when the frame has one."""
    return [c for c in ("org_id", "experiment_id") if c in frame.columns]


def _arm(frame: pd.DataFrame, suffix: str) -> ArmMoments:
    def column(name: str) -> FloatArray:
        return frame[name + suffix].to_numpy(dtype=float, na_value=np.nan)

    users = np.nan_to_num(column("users"))
    main_sum = np.nan_to_num(column("main_sum"))
    values = {name: column(name) for name in MOMENT_COLUMNS[2:]}
    return ArmMoments(users=users, main_sum=main_sum, **values)


def _pairs(moments: pd.DataFrame) -> pd.DataFrame:
    keys = [*experiment_keys(moments), "metric_id"]
    missing = [c for c in MOMENT_COLUMNS if c not in moments.columns]
    frame = moments.reindex(columns=[*moments.columns, *missing])
    control = frame.loc[frame["variant_index"] == 0, [*keys, *MOMENT_COLUMNS]]
    variants = frame.loc[frame["variant_index"] > 0]
    return variants.merge(
        control.drop_duplicates(keys), on=keys, how="left", suffixes=("_b", "_a")
    ).reset_index(drop=True)


def _reasons(
    n_a: FloatArray,
    n_b: FloatArray,
    incomplete: BoolArray,
    zero_base: BoolArray,
    zero_var: BoolArray,
    *,
    minimum: int,
) -> tuple[ObjectArray, BoolArray]:
    """Each comparison's reason (None when it can be computed) and whether it has one."""
    conditions = [
        (n_a == 0) | (n_b == 0),
        incomplete,
        (n_a < minimum) | (n_b < minimum),
        zero_base,
        zero_var,
    ]
    first = np.select(conditions, list(range(1, len(REASONS) + 1)), default=0)
    reason: ObjectArray = np.array([None, *REASONS], dtype=object)[first]
    return reason, first > 0


def _fixed_horizon_test(
    lift: Lift, roles: ObjectArray | None, settings: AnalysisSettings
) -> TestResult:
    """The settings' test, except that a guardrail is always tested two-sided: a one-sided test
    only asks whether the variant is better, so it could never show the harm a guardrail is for."""
    chosen = t_test(lift, settings.alpha, settings.two_sided)
    if settings.two_sided or roles is None:
        return chosen
    both = t_test(lift, settings.alpha, two_sided=True)
    guard = roles == "guardrail"
    return TestResult(
        np.where(guard, both.p_value, chosen.p_value),
        np.where(guard, both.ci_low, chosen.ci_low),
        np.where(guard, both.ci_high, chosen.ci_high),
    )


def analyze(moments: pd.DataFrame, settings: AnalysisSettings = DEFAULTS) -> pd.DataFrame:
    pairs = _pairs(moments)
    kind = pairs["metric_kind"].to_numpy(dtype=object)
    binomial, ratio = kind == "binomial", kind == "ratio"
    a, b = _arm(pairs, "_a"), _arm(pairs, "_b")
    with np.errstate(all="ignore"):
        arms = pair_stats(binomial, ratio, a, b, settings.cuped)
        control, variant = arms.control, arms.variant
        zero_var = (control.variance <= 0) | (variant.variance <= 0)
        zero_base = (control.mean == 0) | (control.unadjusted_mean == 0)
        parts = (control.mean, control.variance, variant.mean, variant.variance)
        incomplete = ~np.logical_and.reduce([np.isfinite(part) for part in parts])
        reason, failed = _reasons(
            a.users, b.users, incomplete, zero_base, zero_var, minimum=settings.min_users
        )
        lift = relative_lift(control, variant)
        roles = pairs["metric_role"].to_numpy(dtype=object) if "metric_role" in pairs else None
        fixed = _fixed_horizon_test(lift, roles, settings)
        post = posterior(lift, settings.prior, settings.alpha)
        figures: dict[str, FloatArray] = {
            "control_mean": control.unadjusted_mean,
            "variant_mean": variant.unadjusted_mean,
            "lift": lift.estimate,
            "lift_stddev": lift.stddev,
            "lift_ci_low": fixed.ci_low,
            "lift_ci_high": fixed.ci_high,
            "p_value": fixed.p_value,
            "chance_to_win": post.chance_to_win,
            "risk_control": post.risk_control,
            "risk_variant": post.risk_variant,
            "credible_low": post.credible_low,
            "credible_high": post.credible_high,
            "theta": arms.theta,
        }
        nan = np.full(len(pairs), np.nan)
        if settings.sequential:
            seq = confidence_sequence(
                lift, a.users + b.users, settings.alpha, settings.sequential_tuning
            )
            figures |= {
                "sequential_ci_low": seq.ci_low,
                "sequential_ci_high": seq.ci_high,
                "sequential_p_value": seq.p_value,
            }
        else:
            figures |= dict.fromkeys(("sequential_ci_low", "sequential_ci_high"), nan)
            figures["sequential_p_value"] = nan
    figures = {name: np.where(failed, np.nan, value) for name, value in figures.items()}
    decision = figures["sequential_p_value" if settings.sequential else "p_value"]
    in_family = np.isin(roles, CORRECTED_ROLES) if roles is not None else np.ones_like(failed)
    figures["p_value_adjusted"] = adjust_p_values(
        decision, pairs[experiment_keys(pairs)], in_family, settings.correction
    )
    significant = pd.array(figures["p_value_adjusted"] < settings.alpha, dtype="boolean")
    significant[failed] = pd.NA
    out = pairs[[*experiment_keys(pairs), "metric_id", "variant_id", "metric_kind"]].copy()
    if roles is not None:
        out["metric_role"] = roles
    if "variant_name" in pairs:
        out["variant_name"] = pairs["variant_name"]
    out["control_users"] = a.users.astype(np.int64)
    out["variant_users"] = b.users.astype(np.int64)
    for name in FIGURES:
        out[name] = figures[name]
    out["significant"] = significant
    out["cuped_applied"] = np.where(failed, False, arms.applied)
    out["reason"] = pd.Series(reason, dtype=object)
    return out
