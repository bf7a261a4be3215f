"""Per-arm statistics from warehouse moments, as gbstats 0.8.0 builds them
(gbstats/models/statistics.py), on arrays of many arms at once.

Each arm reduces to `n`, a mean and the per-user variance of that mean's statistic:
* binomial (ProportionStatistic): mean = sum / n, variance = mean (1 - mean) (population form);
* mean (SampleMeanStatistic): variance = (sum_squares - sum^2 / n) / (n - 1), 0 when n <= 1;
* ratio (RatioStatistic, delta method): mean = main_sum / denominator_sum, variance =
  var_m / mu_d^2 - 2 cov_md mu_m / mu_d^3 + mu_m^2 var_d / mu_d^4, 0 when mu_d = 0 or n <= 1.
CUPED (RegressionAdjustedStatistic, binomial and mean only, as in gbstats): the adjusted mean
is post.mean - theta pre.mean and its variance post.var + theta^2 pre.var - 2 theta cov, with
theta pooled over the two arms compared (gbstats's compute_theta). theta is 0, and the plain
statistic stands, when the pooled pre- or post-period variance is 0. The control's adjusted
mean may therefore differ between its comparisons with two variants, as in gbstats.
Where a quantity divides by zero, gbstats's fallback value (0) is used; analyze.py turns those
arms into a `reason` instead of a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shared.experiments.stats.settings import BoolArray, FloatArray


@dataclass(frozen=True)
class ArmStats:
    """`mean` is CUPED-adjusted where CUPED applies; `unadjusted_mean` never is."""

    n: FloatArray
    mean: FloatArray
    unadjusted_mean: FloatArray
    variance: FloatArray


@dataclass(frozen=True)
class ArmMoments:
    """One arm's moment columns (contract names); NaN where a part does not apply."""

    users: FloatArray
    main_sum: FloatArray
    main_sum_squares: FloatArray
    denominator_sum: FloatArray
    denominator_sum_squares: FloatArray
    main_denominator_sum_product: FloatArray
    covariate_sum: FloatArray
    covariate_sum_squares: FloatArray
    main_covariate_sum_product: FloatArray


def _div(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den, 0 where den is 0 (gbstats's fallback)."""
    safe = np.where(den == 0, 1.0, den)
    return np.where(den == 0, 0.0, num / safe)


def sample_variance(n: FloatArray, total: FloatArray, squares: FloatArray) -> FloatArray:
    return np.where(n <= 1, 0.0, _div(squares - _div(total**2, n), n - 1))


def covariance(n: FloatArray, x: FloatArray, y: FloatArray, products: FloatArray) -> FloatArray:
    return np.where(n <= 1, 0.0, _div(products - _div(x * y, n), n - 1))


def _kind_variance(
    binomial: BoolArray, n: FloatArray, total: FloatArray, squares: FloatArray
) -> FloatArray:
    """Proportion variance for binomial rows, sample variance otherwise."""
    mean = _div(total, n)
    return np.where(binomial, mean * (1 - mean), sample_variance(n, total, squares))


def plain_stats(binomial: BoolArray, ratio: BoolArray, arm: ArmMoments) -> ArmStats:
    n = arm.users
    main_mean = _div(arm.main_sum, n)
    main_var = _kind_variance(binomial, n, arm.main_sum, arm.main_sum_squares)
    den_sum = np.where(ratio, arm.denominator_sum, 1.0)
    den_mean = _div(den_sum, n)
    den_var = sample_variance(n, den_sum, np.where(ratio, arm.denominator_sum_squares, 0.0))
    cov = covariance(
        n, arm.main_sum, den_sum, np.where(ratio, arm.main_denominator_sum_product, 0.0)
    )
    ratio_var = np.where(
        (den_mean == 0) | (n <= 1),
        0.0,
        _div(main_var, den_mean**2)
        - 2 * _div(cov * main_mean, den_mean**3)
        + _div(main_mean**2 * den_var, den_mean**4),
    )
    mean = np.where(ratio, _div(arm.main_sum, den_sum), main_mean)
    variance = np.where(ratio, ratio_var, main_var)
    return ArmStats(n=n, mean=mean, unadjusted_mean=mean, variance=variance)


@dataclass(frozen=True)
class CupedPair:
    """Both arms of each comparison after CUPED, and theta where CUPED applied (theta != 0;
    NaN elsewhere, as gbstats reports no theta when it falls back to the plain statistic)."""

    control: ArmStats
    variant: ArmStats
    theta: FloatArray
    applied: BoolArray


def pooled_theta(
    binomial: BoolArray, a: ArmMoments, b: ArmMoments
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """theta over the joint sample of both arms; also each arm's post/pre covariance."""
    n = a.users + b.users
    post_sum, pre_sum = a.main_sum + b.main_sum, a.covariate_sum + b.covariate_sum
    post_var = _kind_variance(binomial, n, post_sum, a.main_sum_squares + b.main_sum_squares)
    pre_var = _kind_variance(
        binomial, n, pre_sum, a.covariate_sum_squares + b.covariate_sum_squares
    )
    cov = covariance(
        n, post_sum, pre_sum, a.main_covariate_sum_product + b.main_covariate_sum_product
    )
    theta = np.where((pre_var == 0) | (post_var == 0), 0.0, _div(cov, pre_var))
    cov_a = covariance(a.users, a.main_sum, a.covariate_sum, a.main_covariate_sum_product)
    cov_b = covariance(b.users, b.main_sum, b.covariate_sum, b.main_covariate_sum_product)
    return theta, cov_a, cov_b


def _adjusted(
    binomial: BoolArray, plain: ArmStats, arm: ArmMoments, theta: FloatArray, cov: FloatArray
) -> ArmStats:
    pre_mean = _div(arm.covariate_sum, arm.users)
    pre_var = _kind_variance(binomial, arm.users, arm.covariate_sum, arm.covariate_sum_squares)
    variance = np.where(arm.users <= 1, 0.0, plain.variance + theta**2 * pre_var - 2 * theta * cov)
    return ArmStats(
        n=plain.n,
        mean=plain.mean - theta * pre_mean,
        unadjusted_mean=plain.unadjusted_mean,
        variance=variance,
    )


def pair_stats(
    binomial: BoolArray, ratio: BoolArray, a: ArmMoments, b: ArmMoments, cuped: bool
) -> CupedPair:
    """The control's and the variant's statistics for each comparison row."""
    plain_a, plain_b = plain_stats(binomial, ratio, a), plain_stats(binomial, ratio, b)
    pre_parts = [a.covariate_sum, b.covariate_sum, a.main_covariate_sum_product]
    pre_parts += [b.main_covariate_sum_product]
    squares = ~np.isnan(a.covariate_sum_squares) & ~np.isnan(b.covariate_sum_squares)
    has_pre = np.logical_and.reduce([~np.isnan(p) for p in pre_parts]) & ~ratio
    has_pre &= binomial | squares
    tried = has_pre & cuped
    if not tried.any():
        nan = np.full(binomial.shape, np.nan)
        return CupedPair(plain_a, plain_b, nan, np.zeros(binomial.shape, dtype=bool))
    with np.errstate(invalid="ignore"):
        theta, cov_a, cov_b = pooled_theta(binomial, a, b)
        applied = tried & (theta != 0)
        adj_a = _adjusted(binomial, plain_a, a, theta, cov_a)
        adj_b = _adjusted(binomial, plain_b, b, theta, cov_b)
    return CupedPair(
        control=_pick(applied, adj_a, plain_a),
        variant=_pick(applied, adj_b, plain_b),
        theta=np.where(applied, theta, np.nan),
        applied=applied,
    )


def _pick(mask: BoolArray, yes: ArmStats, no: ArmStats) -> ArmStats:
    return ArmStats(
        n=no.n,
        mean=np.where(mask, yes.mean, no.mean),
        unadjusted_mean=no.unadjusted_mean,
        variance=np.where(mask, yes.variance, no.variance),
    )
