"""Bayesian view of the relative lift, as gbstats 0.8.0's EffectBayesianABTest (prior and
difference on the relative scale).

The data's lift and its delta-method variance (frequentist.Lift) form a normal likelihood.
With a flat (improper) prior the posterior is that normal; with a proper normal prior
N(m0, v0) (gbstats GaussianPrior) the precisions add:
  precision = 1 / var + 1 / v0,  mean = (lift / var + m0 / v0) / precision.
From the posterior N(mu, s^2):
* chance to win = P(lift > 0) = Phi(mu / s);
* risk (expected loss, relative) of choosing the control = E[max(lift, 0)]
  = mu Phi(mu / s) + s phi(mu / s), and of choosing the variant = E[max(-lift, 0)]
  = risk_control - mu (the closed forms of gbstats's truncated-normal expectations);
* credible interval = the alpha/2 and 1 - alpha/2 posterior quantiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from shared.experiments.stats.frequentist import Lift
from shared.experiments.stats.settings import FloatArray


@dataclass(frozen=True)
class Posterior:
    mean: FloatArray
    stddev: FloatArray
    chance_to_win: FloatArray
    risk_control: FloatArray
    risk_variant: FloatArray
    credible_low: FloatArray
    credible_high: FloatArray


def _phi(x: FloatArray) -> FloatArray:
    density: FloatArray = np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)
    return density


def posterior(lift: Lift, prior: tuple[float, float] | None, alpha: float) -> Posterior:
    if prior is None:
        precision = 1 / lift.variance
        mean = lift.estimate
    else:
        prior_mean, prior_variance = prior
        precision = 1 / lift.variance + 1 / prior_variance
        mean = (lift.estimate / lift.variance + prior_mean / prior_variance) / precision
    stddev = np.sqrt(1 / precision)
    z = mean / stddev
    risk_control = mean * special.ndtr(z) + stddev * _phi(z)
    width = special.ndtri(1 - alpha / 2) * stddev
    return Posterior(
        mean=mean,
        stddev=stddev,
        chance_to_win=special.ndtr(z),
        risk_control=risk_control,
        risk_variant=risk_control - mean,
        credible_low=mean - width,
        credible_high=mean + width,
    )
