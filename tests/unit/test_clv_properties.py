"""Properties of the BG/NBD and Gamma-Gamma predictions and likelihoods that hold for every
customer and every parameter set: probabilities stay probabilities, expectations grow with the
horizon, a customer without repeats is certainly alive, and the analytic gradients the fits
rely on agree with finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime

from shared.insights import bgnbd, clv, gamma_gamma

positive = st.floats(min_value=0.05, max_value=20.0, allow_nan=False)


@st.composite
def customers(draw: st.DrawFn) -> tuple[list[float], list[float], list[float]]:
    """(frequency, recency, T) of 1-30 customers that satisfy the model's constraints."""
    n = draw(st.integers(min_value=1, max_value=30))
    x, t_x, t = [], [], []
    for _ in range(n):
        total = draw(st.floats(min_value=0.0, max_value=100.0))
        repeats = draw(st.integers(min_value=0, max_value=60))
        last = draw(st.floats(min_value=0.0, max_value=1.0)) * total if repeats else 0.0
        x.append(float(repeats))
        t_x.append(last)
        t.append(total)
    return x, t_x, t


def _fit(r: float, alpha: float, a: float, b: float) -> bgnbd.BgNbdFit:
    return bgnbd.BgNbdFit(r, alpha, a, b, None, 0, True, 0, "given")


@settings(max_examples=150, deadline=None)
@given(customers(), positive, positive, positive, positive)
def test_p_alive_is_a_probability_and_certain_without_repeats(
    data: tuple[list[float], list[float], list[float]], r: float, alpha: float, a: float, b: float
) -> None:
    x, t_x, t = data
    alive = clv.probability_alive(_fit(r, alpha, a, b), x, t_x, t)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(alive[np.asarray(x) == 0] == 1)


@settings(max_examples=150, deadline=None)
@given(
    customers(),
    st.tuples(
        st.floats(min_value=0.05, max_value=5.0),
        st.floats(min_value=0.5, max_value=20.0),
        st.floats(min_value=0.1, max_value=5.0).filter(lambda a: abs(a - 1) > 0.01),
        st.floats(min_value=0.5, max_value=10.0),
    ),
    st.tuples(st.floats(min_value=0.0, max_value=52.0), st.floats(min_value=0.0, max_value=52.0)),
)
def test_expected_purchases_are_non_negative_and_grow_with_the_horizon(
    data: tuple[list[float], list[float], list[float]],
    params: tuple[float, float, float, float],
    horizons: tuple[float, float],
) -> None:
    x, t_x, t = data
    fit = _fit(*params)
    short, long = sorted(horizons)
    near = clv.expected_purchases(fit, short, x, t_x, t)
    far = clv.expected_purchases(fit, long, x, t_x, t)
    assert np.all(np.isfinite(near))
    assert np.all(near >= -1e-9)
    assert np.all(far >= near - 1e-7 * (1 + np.abs(near)))
    assert np.all(clv.expected_purchases(fit, 0.0, x, t_x, t) == 0)


def test_a_customer_who_stopped_long_ago_is_expected_to_buy_less() -> None:
    fit = _fit(0.243, 4.414, 0.793, 2.426)
    recent, lapsed = clv.expected_purchases(fit, 39.0, [5, 5], [38.0, 5.0], [39.0, 39.0])
    assert recent > lapsed
    alive = clv.probability_alive(fit, [5, 5], [38.0, 5.0], [39.0, 39.0])
    assert alive[0] > alive[1]


@settings(max_examples=60, deadline=None)
@given(customers(), positive, positive, positive, positive)
def test_bgnbd_gradient_matches_finite_differences(
    data: tuple[list[float], list[float], list[float]], r: float, alpha: float, a: float, b: float
) -> None:
    x, t_x, t = (np.asarray(v) for v in data)
    prepared = bgnbd._prepare(x, t_x, t)
    theta = np.log([r, alpha, a, b])
    value, grad = bgnbd._objective(theta, prepared)
    numeric = approx_fprime(theta, lambda z: bgnbd._objective(z, prepared)[0], 1e-7)
    assert np.isfinite(value)
    assert np.allclose(grad, numeric, rtol=1e-3, atol=1e-4)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 40), st.floats(0.5, 500.0)), min_size=1, max_size=30),
    positive,
    positive,
    positive,
)
def test_gamma_gamma_gradient_matches_finite_differences(
    spend: list[tuple[int, float]], p: float, q: float, v: float
) -> None:
    x = np.array([float(s[0]) for s in spend])
    z = np.array([s[1] for s in spend])
    prepared = gamma_gamma._prepare(x, z)
    theta = np.log([p, q, v])
    _, grad = gamma_gamma._objective(theta, prepared)
    numeric = approx_fprime(theta, lambda w: gamma_gamma._objective(w, prepared)[0], 1e-7)
    assert np.allclose(grad, numeric, rtol=1e-3, atol=1e-4)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 40), st.floats(0.5, 500.0)), min_size=1, max_size=30),
    positive,
    st.floats(min_value=1.05, max_value=20.0),
    positive,
)
def test_expected_spend_lies_between_population_mean_and_own_mean(
    spend: list[tuple[int, float]], p: float, q: float, v: float
) -> None:
    x = [float(s[0]) for s in spend]
    z = [s[1] for s in spend]
    fit = gamma_gamma.GammaGammaFit(p, q, v, None, 0, True, 0, "given")
    expected = clv.expected_spend(fit, x, z)
    population = p * v / (q - 1)
    own = np.where(np.asarray(x) > 0, z, population)
    low, high = np.minimum(population, own), np.maximum(population, own)
    slack = 1e-9 * (1 + high)
    assert np.all((expected >= low - slack) & (expected <= high + slack))


def test_lifetime_value_grows_with_months_and_falls_with_the_discount_rate() -> None:
    bg = _fit(0.243, 4.414, 0.793, 2.426)
    gg = gamma_gamma.GammaGammaFit(6.25, 3.74, 15.44, None, 0, True, 0, "given")
    x, t_x, t, z = [0, 2, 7], [0.0, 30.4, 36.0], [38.9, 38.9, 38.9], [0.0, 22.35, 40.0]

    def value(months: int, rate: float) -> np.ndarray:
        return clv.customer_lifetime_value(
            bg,
            gg,
            frequency=x,
            recency=t_x,
            T=t,
            monetary_value=z,
            months=months,
            monthly_discount_rate=rate,
            units_per_month=clv.WEEKS_PER_MONTH,
        )

    assert np.all(value(24, 0.01) > value(12, 0.01))
    assert np.all(value(12, 0.02) < value(12, 0.01))
    assert clv.monthly_rate(0.12) == (1.12) ** (1 / 12) - 1
