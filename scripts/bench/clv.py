"""Benchmark the lifetime-value fits: BG/NBD and Gamma-Gamma on 1,000,000 generated customers.

Customers are drawn (seeded) from the models' own generative processes with the CDNOW estimates
of Fader, Hardie and Lee (2005) and Fader and Hardie (2013): first purchases spread over the
first 12 weeks of a 39-week calibration period; buying rate lambda ~ Gamma(r, alpha) and
drop-out probability p ~ Beta(a, b); a customer makes K ~ Geometric(p) repeat purchases at most
(dropping out after the K-th), of which those inside T are seen, the last one's time drawn as
the x-th order statistic of the Poisson arrivals in [0, T]; mean spend per repeat purchase is
Gamma(p x, x nu) with nu ~ Gamma(q, v). Generation is not timed.

Timed: `fit_bgnbd` plus `fit_gamma_gamma` on all customers, as the product calls them (input
validation included), best of two runs. Baseline, in the same run and on the same data: the
same maximum-likelihood problems solved by the same L-BFGS-B with scipy's finite-difference
gradient instead of the analytic one (one run). Both must land on the same estimates, which
should be near the generating parameters. The last line printed is one JSON object:
    python scripts/bench/clv.py [--customers N]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from scipy.optimize import minimize

from shared.insights import bgnbd, gamma_gamma
from shared.insights.inputs import FloatArray

SEED = 20_261_202
BGNBD_TRUTH = (0.243, 4.414, 0.793, 2.426)
GAMMA_GAMMA_TRUTH = (6.25, 3.74, 15.44)
CALIBRATION_WEEKS = 39.0
ENTRY_WEEKS = 12.0
Result = TypeVar("Result")


def generate(n: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(frequency, recency, T, monetary_value) of n customers from the generative processes."""
    rng = np.random.default_rng(SEED)
    r, alpha, a, b = BGNBD_TRUTH
    p_spend, q, v = GAMMA_GAMMA_TRUTH
    t = CALIBRATION_WEEKS - rng.uniform(0.0, ENTRY_WEEKS, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    lifetime_purchases = rng.geometric(dropout)
    arrivals = rng.poisson(rate * t)
    x = np.minimum(lifetime_purchases, arrivals)
    repeat = x > 0
    t_x = np.zeros(n)
    t_x[repeat] = t[repeat] * rng.beta(x[repeat], arrivals[repeat] - x[repeat] + 1)
    nu = rng.gamma(q, 1.0 / v, n)
    z = np.zeros(n)
    z[repeat] = rng.gamma(p_spend * x[repeat], 1.0 / (x[repeat] * nu[repeat]))
    return x.astype(np.float64), t_x, t, z


def timed(fn: Callable[[], Result]) -> tuple[float, Result]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def fit_both(
    x: FloatArray, t_x: FloatArray, t: FloatArray, z: FloatArray
) -> tuple[bgnbd.BgNbdFit, gamma_gamma.GammaGammaFit]:
    return bgnbd.fit_bgnbd(x, t_x, t), gamma_gamma.fit_gamma_gamma(x, z)


def numerical_baseline(
    x: FloatArray, t_x: FloatArray, t: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """The same likelihoods, optimiser and start, with finite-difference gradients."""
    bg_data = bgnbd._prepare(x, t_x, t)
    bg = minimize(
        lambda theta: bgnbd._objective(theta, bg_data)[0],
        np.log([1.0, float(np.mean(t)), 1.0, 1.0]),
        method="L-BFGS-B",
        bounds=[(-bgnbd.LOG_BOUND, bgnbd.LOG_BOUND)] * 4,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )
    repeat = x > 0
    gg_data = gamma_gamma._prepare(x[repeat], z[repeat])
    gg = minimize(
        lambda theta: gamma_gamma._objective(theta, gg_data)[0],
        np.log([1.0, 1.0, float(np.mean(z[repeat]))]),
        method="L-BFGS-B",
        bounds=[(-gamma_gamma.LOG_BOUND, gamma_gamma.LOG_BOUND)] * 3,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )
    return np.exp(bg.x), np.exp(gg.x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    args = parser.parse_args()

    generated, data = timed(lambda: generate(args.customers))
    x, t_x, t, z = data
    runs = [timed(lambda: fit_both(x, t_x, t, z)) for _ in range(2)]
    seconds = min(run[0] for run in runs)
    bg_fit, gg_fit = runs[0][1]
    baseline, (bg_numeric, gg_numeric) = timed(lambda: numerical_baseline(x, t_x, t, z))
    bg_params = np.array(bg_fit.params())
    gg_params = np.array(gg_fit.params())
    agree = bool(
        np.allclose(bg_params, bg_numeric, rtol=1e-3)
        and np.allclose(gg_params, gg_numeric, rtol=1e-3)
    )
    ratio = baseline / seconds

    def show(values: FloatArray) -> str:
        return ", ".join(f"{value:.4f}" for value in values)

    print(
        f"generated {args.customers:,} customers, {int(np.count_nonzero(x)):,} repeat buyers"
        f" ({generated:.1f} s, not timed)"
    )
    print(
        f"BG/NBD r, alpha, a, b: {show(bg_params)} (generated from {show(np.array(BGNBD_TRUTH))})"
    )
    gg_truth = show(np.array(GAMMA_GAMMA_TRUTH))
    print(f"Gamma-Gamma p, q, v: {show(gg_params)} (generated from {gg_truth})")
    print(f"BG/NBD + Gamma-Gamma fits, analytic gradients: {seconds:.2f} s (best of 2)")
    print(f"same fits, finite-difference gradients: {baseline:.2f} s (ratio {ratio:.2f})")
    print(f"estimates agree: {agree}")
    print(
        json.dumps(
            {
                "benchmark": "clv",
                "customers": args.customers,
                "seconds": round(seconds, 3),
                "baseline_seconds": round(baseline, 3),
                "ratio": round(ratio, 3),
                "estimates_agree": agree,
            }
        )
    )


if __name__ == "__main__":
    main()
