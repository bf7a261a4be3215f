"""Benchmark the experiments results engine on one core.

Generates deterministic, realistic moments (seeded numpy; not timed) for --experiments
experiments (default 10,000) x 3 variants x 5 metrics: a conversion goal, a secondary
conversion, revenue per visitor (Bernoulli x lognormal orders), revenue per session (ratio)
and a bounce-rate guardrail; 200 to 60,000 users per arm, CUPED pre-period sums on the
binomial and mean metrics, a true lift on a third of the experiments, and a 1 % sample-ratio
bug. Then it times the real engine with every test on (frequentist, Bayesian with a proper
prior, sequential, CUPED, Holm-Bonferroni, SRM, verdicts) over all experiments at once, and the
baseline: the same calls one experiment at a time for a --sample of experiments, extrapolated.
The last line printed is one JSON object:
    python scripts/bench/experiments.py [--experiments N] [--sample N]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_variable] = "1"
os.environ.setdefault("NUMEXPR_NUM_THREADS", "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, whatever the machine

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from shared.experiments.stats import AnalysisSettings, analyze, srm_p_values, verdicts  # noqa: E402

VARIANTS = 3
METRICS = (  # id, kind, role, base rate or mean, guardrail direction
    ("conversion", "binomial", "goal", 0.05, None),
    ("signup", "binomial", "secondary", 0.12, None),
    ("revenue", "mean", "secondary", 0.05, None),
    ("revenue_per_session", "ratio", "secondary", 0.05, None),
    ("bounce", "binomial", "guardrail", 0.40, "increase_is_bad"),
)
SETTINGS = AnalysisSettings(prior=(0.0, 0.09), sequential=True, cuped=True)
ORDER_MU, ORDER_SIGMA = 3.5, 1.2  # lognormal order value, heavy tailed


def _moments(experiments: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    arms = experiments * VARIANTS
    exp = np.repeat(np.arange(experiments), VARIANTS)
    index = np.tile(np.arange(VARIANTS), experiments)
    size = np.repeat(np.exp(rng.uniform(np.log(200), np.log(60_000), experiments)), VARIANTS)
    srm_bug = np.repeat(rng.random(experiments) < 0.01, VARIANTS) & (index == 2)
    users = rng.poisson(size * np.where(srm_bug, 1.15, 1.0)).astype(float)
    lift = np.where(np.repeat(rng.random(experiments) < 1 / 3, VARIANTS) & (index > 0), 0.1, 0.0)
    frames = []
    for metric_id, kind, role, base, _ in METRICS:
        rate = np.clip(base * rng.lognormal(0, 0.02, arms) * (1 + lift), 1e-4, 0.95)
        pre = rng.binomial(users.astype(np.int64), rate).astype(float)
        both = rng.binomial(pre.astype(np.int64), np.minimum(rate * 4, 0.99)).astype(float)
        post = both + rng.binomial((users - pre).astype(np.int64), rate * 0.8).astype(float)
        frame = {"main_sum": post, "main_sum_squares": post, "covariate_sum": pre}
        frame |= {"covariate_sum_squares": pre, "main_covariate_sum_product": both}
        if kind != "binomial":
            order_mean = np.exp(ORDER_MU + ORDER_SIGMA**2 / 2)
            order_square = np.exp(2 * ORDER_MU + 2 * ORDER_SIGMA**2)
            noise = rng.normal(1, 0.05, arms)
            frame = {
                "main_sum": post * order_mean * noise,
                "main_sum_squares": post * order_square * noise,
                "covariate_sum": pre * order_mean,
                "covariate_sum_squares": pre * order_square,
                "main_covariate_sum_product": both * order_square * 0.5,
            }
        if kind == "ratio":
            sessions = users * rng.uniform(1.2, 2.5, arms)
            frame |= {
                "denominator_sum": sessions,
                "denominator_sum_squares": sessions * 3.0,
                "main_denominator_sum_product": frame["main_sum"] * 2.2,
                "covariate_sum": np.full(arms, np.nan),
                "covariate_sum_squares": np.full(arms, np.nan),
                "main_covariate_sum_product": np.full(arms, np.nan),
            }
        frames.append(
            pd.DataFrame(
                {
                    "org_id": "org-bench",
                    "experiment_id": exp.astype(str),
                    "metric_id": metric_id,
                    "metric_kind": kind,
                    "metric_role": role,
                    "variant_id": np.array(["control", "b", "c"])[index],
                    "variant_index": index,
                    "users": users,
                    **frame,
                }
            )
        )
    split = pd.DataFrame(
        {
            "org_id": "org-bench",
            "experiment_id": exp.astype(str),
            "variant_id": np.array(["control", "b", "c"])[index],
            "users": users,
            "weight": 1.0,
        }
    )
    return pd.concat(frames, ignore_index=True), split


def _definitions(experiments: int) -> pd.DataFrame:
    ids = np.repeat(np.arange(experiments).astype(str), len(METRICS))
    return pd.DataFrame(
        {
            "org_id": "org-bench",
            "experiment_id": ids,
            "metric_id": [m[0] for m in METRICS] * experiments,
            "role": [m[2] for m in METRICS] * experiments,
            "direction": [m[4] for m in METRICS] * experiments,
            "mde": 0.05,
        }
    )


def _run(moments: pd.DataFrame, split: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    results = analyze(moments, SETTINGS)
    srm = srm_p_values(split, SETTINGS)
    return verdicts(results, metrics, SETTINGS, srm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    moments, split = _moments(args.experiments, rng)
    metrics = _definitions(args.experiments)
    _run(moments.head(VARIANTS * 10), split.head(VARIANTS * 10), metrics.head(10))  # warm-up
    began, cpu = time.perf_counter(), time.process_time()
    out = _run(moments, split, metrics)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    sample = [str(i) for i in range(min(args.sample, args.experiments))]
    by_moments, by_split = moments.groupby("experiment_id"), split.groupby("experiment_id")
    by_metrics = metrics.groupby("experiment_id")
    parts = [
        (by_moments.get_group(e), by_split.get_group(e), by_metrics.get_group(e)) for e in sample
    ]
    began = time.perf_counter()
    for part in parts:
        _run(*part)
    per_experiment = (time.perf_counter() - began) / len(parts)
    baseline = per_experiment * args.experiments
    codes = out["verdict_code"].value_counts().to_dict()
    print(f"{args.experiments:,} experiments x {VARIANTS} variants x {len(METRICS)} metrics")
    print(f"engine, all experiments at once: {seconds:.2f} s (CPU {cpu:.2f} s)")
    print(f"baseline, one experiment at a time: {per_experiment * 1000:.1f} ms each")
    print(f"  extrapolated to {args.experiments:,}: {baseline:.1f} s ({baseline / seconds:.0f}x)")
    print(f"verdicts: {codes}")
    print(
        json.dumps(
            {
                "benchmark": "experiments",
                "experiments": args.experiments,
                "variants": VARIANTS,
                "metrics": len(METRICS),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "baseline_seconds": round(baseline, 1),
                "baseline_sample": len(parts),
                "ratio": round(baseline / seconds, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
