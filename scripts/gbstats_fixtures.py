"""Write tests/fixtures/gbstats/*.json: reference figures computed by GrowthBook's gbstats 0.8.0.

The parity test of shared/experiments/stats compares ReachOps's engine with these figures.
gbstats 0.8.0 needs numpy<2 and pandas<2, so this script runs only in its own venv
(scripts/gbstats_env.sh builds it and runs this file) and imports nothing of the product.
Inputs are simulated from fixed seeds and stored beside the figures, so the fixtures are
reproducible and the product's test needs neither gbstats nor this script.
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

# gbstats lives only in .gbstats-venv, so the product environment type-checks this file without it
from gbstats.bayesian.tests import (  # type: ignore[import-not-found]
    EffectBayesianABTest,
    EffectBayesianConfig,
    GaussianPrior,
)
from gbstats.frequentist.tests import (  # type: ignore[import-not-found]
    FrequentistConfig,
    OneSidedTreatmentGreaterTTest,
    OneSidedTreatmentLesserTTest,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (  # type: ignore[import-not-found]
    ProportionStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
)
from gbstats.utils import check_srm  # type: ignore[import-not-found]

GBSTATS_VERSION = "0.8.0"
OUT_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "gbstats"
# one row of the warehouse's moments table, per arm (column names of the experiments contract)
MOMENT_NAMES = (
    "users main_sum main_sum_squares denominator_sum denominator_sum_squares"
    " main_denominator_sum_product covariate_sum covariate_sum_squares main_covariate_sum_product"
)
MOMENTS = tuple(MOMENT_NAMES.split())
Arm = dict[str, Any]
Case = dict[str, Any]


def clean(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN to null, +-inf to the strings 'inf'/'-inf'."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (bool, np.bool_, int, np.integer)):
        return value.item() if isinstance(value, np.generic) else value
    if not isinstance(value, (float, np.floating)):
        return value
    number = float(value)
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return None if math.isnan(number) else number


def arm(
    users: int,
    main: tuple[float, float],
    den: tuple[float, float, float] | None = None,
    cov: tuple[float, float, float] | None = None,
) -> Arm:
    """One arm's moments: (sum, sum of squares[, sum of products with the main metric]) for the
    main metric, the ratio denominator and the CUPED covariate; null where a part is absent."""
    values: Arm = dict.fromkeys(MOMENTS)
    values.update(users=users, main_sum=float(main[0]), main_sum_squares=float(main[1]))
    for prefix, part in (("denominator", den), ("covariate", cov)):
        if part is not None:
            values[f"{prefix}_sum"], values[f"{prefix}_sum_squares"] = map(float, part[:2])
            values[f"main_{prefix}_sum_product"] = float(part[2])
    return values


def arm_moments(post: np.ndarray, den: np.ndarray | None, pre: np.ndarray | None) -> Arm:
    """Per-arm sums of per-visitor values, as the warehouse aggregates them."""

    def part(x: np.ndarray | None) -> tuple[float, float, float] | None:
        return (
            None if x is None else (float(x.sum()), float((x * x).sum()), float((post * x).sum()))
        )

    return arm(post.size, (float(post.sum()), float((post * post).sum())), part(den), part(pre))


def simulate_arm(
    rng: np.random.Generator, kind: str, users: int, rate: float, *, lift: float, cuped: bool
) -> Arm:
    """One arm of visitors: a per-visitor propensity (and basket size) drives both pre-period
    and post behaviour, so the covariate correlates with the metric as real pre-exposure data
    does and theta is far from 0."""
    shape = 0.2
    propensity = rng.beta(shape, shape * (1 - rate) / rate, size=users)
    post_p = np.clip(propensity * (1 + lift), 0, 1)
    basket = rng.normal(3.5, 0.8, users)  # log of the visitor's typical order value
    den = None
    if kind == "binomial":
        post = rng.binomial(1, post_p).astype(float)
        pre = rng.binomial(1, propensity).astype(float)
    elif kind == "mean":
        # revenue per visitor: few buyers, log-normal basket values (heavy right tail)
        post = rng.binomial(1, post_p) * np.round(rng.lognormal(basket, 0.8), 2)
        pre = rng.binomial(1, propensity) * np.round(rng.lognormal(basket, 0.8), 2)
    else:
        # revenue per session: numerator revenue, denominator sessions (delta method)
        den = (1 + rng.poisson(1.5, users)).astype(float)
        orders = rng.binomial(den.astype(int), post_p)
        post = np.round(orders * rng.lognormal(basket - 0.5, 0.6), 2)
        pre = None
    return arm_moments(post, den, pre if cuped else None)


SIMULATED: list[tuple[str, str, int, int, float, float, bool]] = [
    # id, kind, control users, variant users, base rate, true lift, with covariate
    ("bin_small", "binomial", 50, 50, 0.12, 0.0, False),
    ("bin_500", "binomial", 500, 520, 0.10, 0.10, False),
    ("bin_5k", "binomial", 5000, 5000, 0.02, 0.05, False),
    ("bin_200k", "binomial", 200000, 199500, 0.01, 0.03, False),
    ("bin_20k_neg", "binomial", 20000, 20000, 0.20, -0.05, False),
    ("bin_unequal", "binomial", 1000, 3000, 0.15, 0.20, False),
    ("bin_50k_win", "binomial", 50000, 50000, 0.05, 0.15, False),
    ("bin_cuped_5k", "binomial", 5000, 5000, 0.08, 0.05, True),
    ("bin_cuped_200k", "binomial", 200000, 200000, 0.03, 0.02, True),
    ("bin_cuped_100", "binomial", 100, 100, 0.20, 0.30, True),
    ("mean_small", "mean", 50, 60, 0.10, 0.0, False),
    ("mean_2k", "mean", 2000, 2000, 0.05, 0.10, False),
    ("mean_50k", "mean", 50000, 50000, 0.03, 0.05, False),
    ("mean_200k", "mean", 200000, 200000, 0.02, 0.0, False),
    ("mean_100k_win", "mean", 100000, 100000, 0.04, 0.25, False),
    ("mean_cuped_10k", "mean", 10000, 10000, 0.05, 0.08, True),
    ("mean_cuped_300", "mean", 300, 280, 0.10, 0.20, True),
    ("ratio_100", "ratio", 100, 100, 0.10, 0.0, False),
    ("ratio_5k", "ratio", 5000, 5000, 0.05, 0.05, False),
    ("ratio_150k", "ratio", 150000, 150000, 0.03, 0.02, False),
]


EDGE_CASES: list[tuple[str, str, Arm, Arm]] = [
    # hand-written arms where gbstats returns its default output or a degenerate figure
    ("edge_equal_binomial", "binomial", arm(1000, (100, 100)), arm(1000, (100, 100))),
    ("edge_equal_mean", "mean", arm(1000, (2450.5, 310220.75)), arm(1000, (2450.5, 310220.75))),
    ("edge_zero_conv_control", "binomial", arm(200, (0, 0)), arm(200, (7, 7))),
    ("edge_zero_conv_variant", "binomial", arm(200, (7, 7)), arm(200, (0, 0))),
    ("edge_empty_control", "binomial", arm(0, (0, 0)), arm(150, (9, 9))),
    ("edge_empty_variant", "binomial", arm(150, (9, 9)), arm(0, (0, 0))),
    ("edge_one_user", "mean", arm(1, (35.0, 1225.0)), arm(1, (12.5, 156.25))),
    ("edge_tiny_binomial", "binomial", arm(3, (1, 1)), arm(4, (1, 1))),
    ("edge_all_convert", "binomial", arm(80, (80, 80)), arm(90, (90, 90))),
    (
        "edge_cuped_no_preperiod",
        "binomial",
        arm(4000, (120, 120), cov=(0, 0, 0)),
        arm(4000, (141, 141), cov=(0, 0, 0)),
    ),
    (
        "edge_ratio_zero_denominator",
        "ratio",
        arm(300, (0, 0), den=(0, 0, 0)),
        arm(300, (520.0, 41000.0), den=(410, 900, 1500)),
    ),
]


def case(case_id: str, kind: str, control: Arm, variant: Arm) -> Case:
    return {"id": case_id, "metric_kind": kind, "control": control, "variant": variant}


def all_cases() -> list[Case]:
    cases = []
    for index, (case_id, kind, n_a, n_b, rate, lift, cuped) in enumerate(SIMULATED):
        rng = np.random.default_rng(20240 + index)
        control = simulate_arm(rng, kind, n_a, rate, lift=0.0, cuped=cuped)
        variant = simulate_arm(rng, kind, n_b, rate, lift=lift, cuped=cuped)
        cases.append(case(case_id, kind, control, variant))
    return cases + [case(*edge) for edge in EDGE_CASES]


def base_statistic(arm: Arm, kind: str, part: str) -> ProportionStatistic | SampleMeanStatistic:
    """gbstats's per-arm statistic; n is users (gbstats's `count` defaults to users)."""
    if kind == "binomial":
        return ProportionStatistic(n=arm["users"], sum=arm[f"{part}_sum"])
    return SampleMeanStatistic(
        n=arm["users"], sum=arm[f"{part}_sum"], sum_squares=arm[f"{part}_sum_squares"]
    )


def statistic(arm: Arm, kind: str, cuped: bool) -> Any:
    """As gbstats.gbstats.variation_statistic_from_metric_row picks: ratio, mean or mean_ra."""
    if kind == "ratio":
        return RatioStatistic(
            n=arm["users"],
            m_statistic=base_statistic(arm, "mean", "main"),
            d_statistic=base_statistic(arm, "mean", "denominator"),
            m_d_sum_of_products=arm["main_denominator_sum_product"],
        )
    if cuped:
        return RegressionAdjustedStatistic(
            n=arm["users"],
            post_statistic=base_statistic(arm, kind, "main"),
            pre_statistic=base_statistic(arm, kind, "covariate"),
            post_pre_sum_of_products=arm["main_covariate_sum_product"],
            theta=0,
        )
    return base_statistic(arm, kind, "main")


def guarded(read: Callable[[], Any]) -> Any:
    """A derived figure, or None where gbstats would divide by zero (only for error cases)."""
    with np.errstate(all="ignore"):
        try:
            return read()
        except (ZeroDivisionError, ValueError):
            return None


def stat_summary(stat: Any) -> dict[str, Any]:
    return {
        "mean": guarded(lambda: stat.mean),
        "unadjusted_mean": guarded(lambda: stat.unadjusted_mean),
        "variance": guarded(lambda: stat.variance),
    }


def run_test(item: Case, test_class: Any, config: Any) -> dict[str, Any]:
    """Build fresh statistics (gbstats mutates theta in place), run the test, keep every field
    of its result plus the intermediate figures an engine needs to match step by step."""
    cuped = item["control"]["covariate_sum"] is not None
    stat_a = statistic(item["control"], item["metric_kind"], cuped)
    stat_b = statistic(item["variant"], item["metric_kind"], cuped)
    test = test_class(stat_a, stat_b, config)
    with np.errstate(all="ignore"):
        expected: dict[str, Any] = asdict(test.compute_result())
    applied = isinstance(test.stat_a, RegressionAdjustedStatistic) and test.stat_a.theta != 0
    expected["cuped_applied"] = applied
    expected["theta"] = test.stat_a.theta if applied else None
    expected["control_stat"] = stat_summary(test.stat_a)
    expected["variant_stat"] = stat_summary(test.stat_b)
    if isinstance(test, TTest):
        expected["variance"] = guarded(lambda: test.variance)
        expected["point_estimate"] = guarded(lambda: test.point_estimate)
        expected["dof"] = guarded(lambda: test.dof)
    if isinstance(test, SequentialTwoSidedTTest):
        expected["rho"] = guarded(lambda: test.rho)
    return expected


FEW = ("bin_500", "bin_200k", "bin_cuped_5k", "mean_2k", "mean_cuped_10k", "ratio_5k")


def in_scope(item: Case, scope: str) -> bool:
    """'all' cases, only the 'simulated' ones, or a 'few' (extra settings, small files)."""
    if scope == "all":
        return True
    if scope == "simulated":
        return not item["id"].startswith("edge_")
    return item["id"] in FEW


def fixture_cases(
    cases: list[Case], test_class: Any, runs: list[tuple[dict[str, Any], Any, str]]
) -> list[Case]:
    """Every (settings, gbstats config, scope) run over the cases in its scope."""
    return [
        {
            "id": item["id"],
            "inputs": {k: item[k] for k in ("metric_kind", "control", "variant")},
            "settings": {
                "difference_type": "relative",
                "cuped": item["control"]["covariate_sum"] is not None,
                **settings,
            },
            "expected": run_test(item, test_class, config),
        }
        for settings, config, scope in runs
        for item in cases
        if in_scope(item, scope)
    ]


def frequentist_runs(alphas: list[tuple[float, str]]) -> list[tuple[dict[str, Any], Any, str]]:
    return [({"alpha": a}, FrequentistConfig(alpha=a), scope) for a, scope in alphas]


def sequential_runs() -> list[tuple[dict[str, Any], Any, str]]:
    runs = [(5000.0, 0.05, "all"), (500.0, 0.05, "simulated"), (20000.0, 0.1, "few")]
    return [
        (
            {"alpha": alpha, "sequential_tuning_parameter": tuning},
            SequentialConfig(alpha=alpha, sequential_tuning_parameter=tuning),
            scope,
        )
        for tuning, alpha, scope in runs
    ]


PRIORS: list[tuple[str, float, float, bool, bool, str]] = [
    # name, prior mean, prior variance, proper, inverse, which cases
    ("flat", 0.0, 1.0, False, False, "all"),
    ("proper_default", 0.0, 0.01, True, False, "all"),  # gbstats default prior_stddev 0.1
    ("proper_shifted", 0.05, 0.09, True, False, "simulated"),
    ("flat_inverse", 0.0, 1.0, False, True, "few"),
]


def bayesian_runs() -> list[tuple[dict[str, Any], Any, str]]:
    return [
        (
            {
                "alpha": 0.05,
                "prior": name,
                "prior_mean": mean,
                "prior_variance": variance,
                "proper": proper,
                "inverse": inverse,
            },
            EffectBayesianConfig(
                alpha=0.05,
                inverse=inverse,
                prior_type="relative",
                prior_effect=GaussianPrior(mean=mean, variance=variance, proper=proper),
            ),
            scope,
        )
        for name, mean, variance, proper, inverse, scope in PRIORS
    ]


SRM_INPUTS: list[tuple[str, list[int], list[float]]] = [
    ("balanced", [10000, 10012], [0.5, 0.5]),
    ("slight_imbalance", [5000, 5210], [0.5, 0.5]),
    ("flagged", [10000, 10500], [0.5, 0.5]),
    ("three_arms", [3300, 3350, 3290], [1.0, 1.0, 1.0]),
    ("three_arms_flagged", [3300, 3650, 3290], [1 / 3, 1 / 3, 1 / 3]),
    ("unequal_weights", [2003, 7997], [0.2, 0.8]),
    ("unequal_weights_flagged", [2300, 7700], [0.2, 0.8]),
    ("zero_weight_arm", [5000, 5050, 12], [0.5, 0.5, 0.0]),
    ("no_users", [0, 0], [0.5, 0.5]),
    ("tiny", [3, 9], [0.5, 0.5]),
    ("large", [200000, 199500], [0.5, 0.5]),
    ("weights_not_normalised", [4100, 5900], [40.0, 60.0]),
]


def srm_cases() -> list[Case]:
    return [
        {
            "id": case_id,
            "inputs": {"users": users, "weights": weights},
            "settings": {"srm_threshold": 0.001},
            "expected": {"srm_p_value": check_srm(users, weights)},
        }
        for case_id, users, weights in SRM_INPUTS
    ]


def write(quantity: str, description: str, cases: list[Case]) -> int:
    """One case per line keeps the files small and their diffs readable."""
    header = {
        "gbstats_version": importlib.metadata.version("gbstats"),
        "quantity": quantity,
        "description": description,
        "generated_by": "scripts/gbstats_fixtures.py",
    }
    head = json.dumps(clean(header), allow_nan=False)[:-1]
    lines = ",\n".join(json.dumps(clean(c), allow_nan=False) for c in cases)
    text = f'{head}, "cases": [\n{lines}\n]}}\n'
    path = OUT_DIR / f"{quantity}.json"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(OUT_DIR.parents[2])}: {len(cases)} cases, {len(text)} bytes")
    return len(text)


def main() -> int:
    if importlib.metadata.version("gbstats") != GBSTATS_VERSION:
        print(f"needs gbstats=={GBSTATS_VERSION}; run scripts/gbstats_env.sh", file=sys.stderr)
        return 1
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    cases = all_cases()
    write(
        "frequentist_two_sided",
        "TwoSidedTTest (Welch t, relative lift, delta-method variance)",
        fixture_cases(cases, TwoSidedTTest, frequentist_runs([(0.05, "all"), (0.1, "few")])),
    )
    write(
        "frequentist_one_sided_greater",
        "OneSidedTreatmentGreaterTTest (H1: variant > control)",
        fixture_cases(cases, OneSidedTreatmentGreaterTTest, frequentist_runs([(0.05, "all")])),
    )
    write(
        "frequentist_one_sided_lesser",
        "OneSidedTreatmentLesserTTest (H1: variant < control)",
        fixture_cases(cases, OneSidedTreatmentLesserTTest, frequentist_runs([(0.05, "few")])),
    )
    write(
        "sequential_two_sided",
        "SequentialTwoSidedTTest (always-valid confidence sequence, Waudby-Smith et al.)",
        fixture_cases(cases, SequentialTwoSidedTTest, sequential_runs()),
    )
    write(
        "bayesian_effect",
        "EffectBayesianABTest with flat and proper GaussianPrior on the relative lift",
        fixture_cases(cases, EffectBayesianABTest, bayesian_runs()),
    )
    write("srm", "gbstats.utils.check_srm (chi-square against the weights)", srm_cases())
    return 0


if __name__ == "__main__":
    sys.exit(main())
