"""The Gamma-Gamma model of spend per transaction (Fader and Hardie 2013, "The Gamma-Gamma Model
of Monetary Value"; Colombo and Jiang 1999): each transaction's value is Gamma(p, nu), and a
customer's nu ~ Gamma(q, v), so a customer's mean spend z-bar over x transactions has a known
density given x. Only repeat customers (x > 0) carry information on z-bar, so only they enter
the fit, with z-bar the mean value of their repeat transactions (as in the note's CDNOW data).
The model assumes spend is independent of how often a customer buys; check that (a correlation
of z-bar and x near 0) before multiplying it with BG/NBD purchases.

Fitted like BG/NBD: log-parameters, L-BFGS-B, analytic gradient, gamma and digamma terms once
per distinct x."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, psi

from shared.insights.inputs import ArrayLike, FloatArray, as_array, same_length

MIN_REPEAT_CUSTOMERS = 20
"""Fewer repeat customers than this leave three parameters unidentified; refused with a reason."""

LOG_BOUND = 20.0
"""Search bound on each log-parameter; an estimate on it is reported as not converged."""


@dataclass(frozen=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters, or None for each with the reason."""

    p: float | None
    q: float | None
    v: float | None
    log_likelihood: float | None
    n_customers: int
    converged: bool
    iterations: int
    message: str
    reason: str | None = None

    def params(self) -> tuple[float, float, float]:
        """(p, q, v); ValueError naming `fit` when the fit produced none."""
        if self.p is None or self.q is None or self.v is None:
            raise ValueError(f"gamma_gamma_fit: has no parameters ({self.reason})")
        return self.p, self.q, self.v


def spend_arrays(frequency: ArrayLike, monetary_value: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validated (x, z-bar): whole-number x, and z-bar > 0 wherever x > 0 (a repeat customer
    whose mean spend is 0 has a density of 0 under the model)."""
    x = as_array("frequency", frequency)
    z = as_array("monetary_value", monetary_value)
    same_length(frequency=x, monetary_value=z)
    if np.any(x != np.floor(x)):
        raise ValueError("frequency: every value must be a whole number of repeat purchases")
    if np.any((x > 0) & (z <= 0)):
        raise ValueError("monetary_value: must be > 0 for every customer with frequency > 0")
    return x, z


@dataclass(frozen=True)
class _Data:
    """The repeat customers' data terms, fixed during the search."""

    x: FloatArray
    log_xz: FloatArray
    xz: FloatArray
    xs: FloatArray
    inverse: np.ndarray
    counts: FloatArray


def _prepare(x: FloatArray, z: FloatArray) -> _Data:
    xs, inverse = np.unique(x, return_inverse=True)
    counts = np.bincount(inverse).astype(np.float64)
    return _Data(x, np.log(x) + np.log(z), x * z, xs, inverse, counts)


def _objective(theta: FloatArray, d: _Data) -> tuple[float, FloatArray]:
    """Mean negative log-likelihood of the note's equation (3) and its log-parameter gradient;
    log_xz is log(x) + log(z-bar) and xz is x * z-bar."""
    p, q, v = (float(value) for value in np.exp(theta))
    x, log_xz, xz, xs, inverse, counts = d.x, d.log_xz, d.xz, d.xs, d.inverse, d.counts
    px = p * xs
    per_x = gammaln(px + q) - gammaln(px) - gammaln(q)
    log_tail = np.log(xz + v)
    pxc = p * x
    ll = per_x[inverse] + q * np.log(v) + (pxc - 1) * log_xz + np.log(x) - (pxc + q) * log_tail
    n = float(len(x))
    d_p = float(np.dot(xs * (psi(px + q) - psi(px)), counts))
    d_p += float(np.sum(x * (log_xz - log_tail)))
    d_q = float(np.dot(psi(px + q) - psi(q), counts)) + n * np.log(v) - float(np.sum(log_tail))
    d_v = n * q / v - float(np.sum((pxc + q) / (xz + v)))
    grad = np.array([d_p * p, d_q * q, d_v * v]) / n
    return -float(np.sum(ll)) / n, -grad


def _refused(n: int, reason: str, iterations: int = 0, message: str = "") -> GammaGammaFit:
    return GammaGammaFit(None, None, None, None, n, False, iterations, message, reason)


def fit_gamma_gamma(frequency: ArrayLike, monetary_value: ArrayLike) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit on the repeat customers (frequency > 0);
    monetary_value is each customer's mean repeat-transaction value (ignored where x = 0)."""
    x_all, z_all = spend_arrays(frequency, monetary_value)
    repeat = x_all > 0
    x, z = x_all[repeat], z_all[repeat]
    n = len(x)
    if n < MIN_REPEAT_CUSTOMERS:
        reason = f"{n} repeat customers; the Gamma-Gamma fit needs {MIN_REPEAT_CUSTOMERS}"
        return _refused(n, reason)
    start = np.log(np.array([1.0, 1.0, float(np.mean(z))]))
    result = minimize(
        _objective,
        start,
        args=(_prepare(x, z),),
        jac=True,
        method="L-BFGS-B",
        bounds=[(-LOG_BOUND, LOG_BOUND)] * 3,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )
    iterations, message = int(result.nit), str(result.message)
    theta = np.asarray(result.x, dtype=np.float64)
    if np.any(np.abs(theta) >= LOG_BOUND - 1e-6):
        reason = "a parameter reached its search bound; the data fit a degenerate model"
        return _refused(n, reason, iterations, message)
    if not result.success:
        return _refused(n, f"maximum likelihood did not converge: {message}", iterations, message)
    p, q, v = (float(value) for value in np.exp(theta))
    return GammaGammaFit(p, q, v, -float(result.fun) * n, n, True, iterations, message)


def gamma_gamma_log_likelihood(
    params: tuple[float, float, float], frequency: ArrayLike, monetary_value: ArrayLike
) -> float:
    """Total Gamma-Gamma log-likelihood of (p, q, v) over the repeat customers."""
    x_all, z_all = spend_arrays(frequency, monetary_value)
    repeat = x_all > 0
    x, z = x_all[repeat], z_all[repeat]
    theta = np.log(np.asarray(params, dtype=np.float64))
    return -_objective(theta, _prepare(x, z))[0] * len(x)


def expected_spend(
    fit: GammaGammaFit, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """E[M | x, z-bar] (the note's equation 5): a weighted mean of the population mean
    p v / (q - 1) and the customer's own z-bar; the population mean for x = 0. Needs q > 1
    (otherwise the population mean spend is infinite): ValueError naming the fit."""
    p, q, v = fit.params()
    if q <= 1:
        raise ValueError(f"gamma_gamma_fit: q = {q:.4g} <= 1, so mean spend is not finite")
    x, z = spend_arrays(frequency, monetary_value)
    return np.asarray(p * (v + x * z) / (p * x + q - 1), dtype=np.float64)
