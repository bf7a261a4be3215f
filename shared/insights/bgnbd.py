"""The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005, "Counting your customers the
easy way"): while alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each
purchase they drop out with probability p ~ Beta(a, b). Per customer it needs only frequency x
(repeat purchases), recency t_x (time of the last one after the first) and T (time since the
first purchase), all in one time unit that the parameters then share (alpha is in that unit).

The fit maximises the paper's likelihood (its equation 6) over log-parameters with L-BFGS-B and
the analytic gradient. Every term that depends only on x and the parameters (the gamma and beta
functions, digammas) is computed once per distinct x, which is what keeps a million customers
fast: per customer only two logarithms and a log-sum-exp remain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, expit, gammaln, hyp2f1, psi

from shared.insights.inputs import ArrayLike, FloatArray, customer_arrays, horizon

MIN_CUSTOMERS = 20
"""Below this many customers the four parameters are not identified in any useful sense; the
fit is refused with a reason instead of returning estimates that are mostly noise."""

LOG_BOUND = 20.0
"""Each log-parameter is searched in [-20, 20] (a parameter in [2e-9, 5e8]); an estimate on
that bound means the likelihood kept improving towards a degenerate model, which is reported
as not converged rather than as an estimate."""


@dataclass(frozen=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters, or None for each with the reason."""

    r: float | None
    alpha: float | None
    a: float | None
    b: float | None
    log_likelihood: float | None
    n_customers: int
    converged: bool
    iterations: int
    message: str
    reason: str | None = None

    def params(self) -> tuple[float, float, float, float]:
        """(r, alpha, a, b); ValueError naming `fit` when the fit produced none."""
        if self.r is None or self.alpha is None or self.a is None or self.b is None:
            raise ValueError(f"fit: has no parameters ({self.reason})")
        return self.r, self.alpha, self.a, self.b


@dataclass(frozen=True)
class _Data:
    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    xs: FloatArray
    inverse: np.ndarray
    counts: FloatArray


def _prepare(x: FloatArray, t_x: FloatArray, t: FloatArray) -> _Data:
    xs, inverse = np.unique(x, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(xs)).astype(np.float64)
    return _Data(x, t_x, t, xs, inverse, counts)


def _terms(
    params: tuple[float, float, float, float], d: _Data
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per customer: A1 + log(exp(A2) + exp(A3)) of the paper, split so the gradient can reuse
    the pieces. Returns (log-likelihood, weight of the A3 term, log(alpha+T), log(alpha+t_x),
    and A1 per distinct x)."""
    r, alpha, a, b = params
    xs = d.xs
    repeat = xs > 0
    base = betaln(a, b)
    a1 = gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + xs) - base
    a3 = np.where(repeat, betaln(a + 1, b + np.maximum(xs, 1) - 1) - base, -np.inf)
    log_at = np.log(alpha + d.T)
    log_atx = np.log(alpha + d.t_x)
    rx = r + d.x
    t2 = a2[d.inverse] - rx * log_at
    t3 = a3[d.inverse] - rx * log_atx
    lse = np.logaddexp(t2, t3)
    return a1[d.inverse] + lse, np.exp(t3 - lse), log_at, log_atx, a1


def _objective(theta: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood and its gradient in log-parameters."""
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    ll, w, log_at, log_atx, _ = _terms((r, alpha, a, b), d)
    xs = d.xs
    n = float(len(d.x))
    w_by_x = np.bincount(d.inverse, weights=w, minlength=len(xs))
    rest_by_x = d.counts - w_by_x
    rx = r + d.x
    d_r = float(np.dot(psi(r + xs) - psi(r), d.counts)) + n * np.log(alpha)
    d_r -= float(np.sum((1 - w) * log_at + w * log_atx))
    d_alpha = n * r / alpha - float(np.sum(rx * ((1 - w) / (alpha + d.T) + w / (alpha + d.t_x))))
    shared_ab = psi(a + b) - psi(a + b + xs)
    one = np.maximum(xs, 1)
    d_a2 = shared_ab
    d_a3 = np.where(xs > 0, psi(a + 1) - psi(a) + shared_ab, 0.0)
    d_b2 = psi(b + xs) - psi(b) + shared_ab
    d_b3 = np.where(xs > 0, psi(b + one - 1) - psi(b) + shared_ab, 0.0)
    d_a = float(np.dot(d_a2, rest_by_x) + np.dot(d_a3, w_by_x))
    d_b = float(np.dot(d_b2, rest_by_x) + np.dot(d_b3, w_by_x))
    grad = np.array([d_r * r, d_alpha * alpha, d_a * a, d_b * b]) / n
    return -float(np.sum(ll)) / n, -grad


def bgnbd_log_likelihood(
    params: tuple[float, float, float, float],
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
) -> float:
    """Total BG/NBD log-likelihood of (r, alpha, a, b) over the customers."""
    x, t_x, t = customer_arrays(frequency, recency, T)
    return float(np.sum(_terms(params, _prepare(x, t_x, t))[0]))


def _refused(n: int, reason: str, iterations: int = 0, message: str = "") -> BgNbdFit:
    return BgNbdFit(None, None, None, None, None, n, False, iterations, message, reason)


def fit_bgnbd(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit; a refusal with the reason when it cannot be estimated."""
    x, t_x, t = customer_arrays(frequency, recency, T)
    n = len(x)
    if n < MIN_CUSTOMERS:
        return _refused(n, f"{n} customers; the BG/NBD fit needs at least {MIN_CUSTOMERS}")
    if not np.any(x > 0):
        return _refused(n, "no customer made a repeat purchase, so no buying rate is estimable")
    data = _prepare(x, t_x, t)
    mean_t = float(np.mean(t))
    start = np.log(np.array([1.0, mean_t if mean_t > 0 else 1.0, 1.0, 1.0]))
    result = minimize(
        _objective,
        start,
        args=(data,),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * 4,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )
    iterations, message = int(result.nit), str(result.message)
    theta = np.asarray(result.x, dtype=np.float64)
    if np.any(np.abs(theta) >= LOG_BOUND - 1e-6):
        reason = "a parameter reached its search bound; the data fit a degenerate model"
        return _refused(n, reason, iterations, message)
    if not result.success:
        return _refused(n, f"maximum likelihood did not converge: {message}", iterations, message)
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    ll = -float(result.fun) * n
    return BgNbdFit(r, alpha, a, b, ll, n, True, iterations, message)


def probability_alive(
    fit: BgNbdFit,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
) -> FloatArray:
    """P(alive | x, t_x, T) (the paper's equation 13); 1 for a customer with no repeat
    purchase, since under BG/NBD a customer can only drop out right after a purchase."""
    r, alpha, a, b = fit.params()
    x, t_x, t = customer_arrays(frequency, recency, T)
    repeat = x > 0
    odds = np.full(len(x), -np.inf)
    xr = x[repeat]
    odds[repeat] = (
        np.log(a)
        - np.log(b + xr - 1)
        + (r + xr) * (np.log(alpha + t[repeat]) - np.log(alpha + t_x[repeat]))
    )
    return np.asarray(expit(-odds), dtype=np.float64)


def expected_purchases(
    fit: BgNbdFit,
    horizon_t: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,  # noqa: N803 - the paper's name
) -> FloatArray:
    """E[Y(t) | x, t_x, T]: each customer's expected purchases in the next `horizon_t` time
    units (the paper's equation 10), in the time unit of the fit."""
    r, alpha, a, b = fit.params()
    t_h = horizon("horizon_t", horizon_t)
    x, t_x, t = customer_arrays(frequency, recency, T)
    if a == 1:
        raise ValueError("fit: a = 1 exactly, where equation 10 is singular")
    alive = probability_alive(fit, x, t_x, t)
    if t_h == 0:
        return np.zeros(len(x))
    grow = a + b + x - 1
    z = t_h / (alpha + t + t_h)
    # Equation 10's ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z), through Euler's
    # transformation 2F1(p, q; c; z) = (1-z)^(c-p-q) 2F1(c-p, c-q; c; z): the same value, but
    # whose parameters do not grow with x, so frequent buyers do not overflow 2F1 to inf.
    scaled = np.exp((a - 1) * np.log1p(-z)) * hyp2f1(a + b - 1 - r, a - 1, grow, z)
    expected = grow / (a - 1) * (1 - scaled) * alive
    return np.asarray(np.where(alive == 0, 0.0, expected), dtype=np.float64)  # 0 * inf is 0 here
