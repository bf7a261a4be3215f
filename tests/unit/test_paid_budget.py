"""Response curves and the budget allocator: fits, bounds, equal marginal returns at an interior
optimum, reproducible intervals, and the histories too short to fit (reported, not raised)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.paid.budget import (
    AllocatorSettings,
    ChannelHistory,
    CurveSettings,
    fit_response_curve,
    recommend_allocation,
)

M = 1_000_000  # micros per major unit
NO_BOOTSTRAP = AllocatorSettings(bootstrap_samples=0)


def hill_history(
    channel: str, top: float, k: float, s: float, average: float, *, days: int = 42, seed: int = 0
) -> ChannelHistory:
    """Daily spend around `average` (major units) and a noisy Hill response to it."""
    rng = np.random.default_rng(seed)
    spend = np.round(average * M * rng.uniform(0.4, 1.8, days)).astype(int)
    x = spend / M
    goal = top * x**s / (k**s + x**s) * (1 + 0.03 * rng.standard_normal(days))
    return ChannelHistory(channel, [int(v) for v in spend], [float(v) for v in goal])


@cache
def three_channels() -> tuple[ChannelHistory, ...]:
    return (
        hill_history("meta", 100, 200, 1.0, 150, seed=1),
        hill_history("google_ads", 60, 50, 1.0, 80, seed=2),
        hill_history("tiktok_ads", 40, 300, 1.2, 100, seed=3),
    )


def test_a_clean_curve_is_recovered() -> None:
    fit = fit_response_curve(hill_history("meta", 100, 200, 1.0, 150, days=60))
    assert fit.status == "ok"
    assert fit.curve is not None
    assert fit.curve.r2 > 0.9
    assert fit.curve.days == fit.days_with_spend == 60
    # Half of the saturation level at k = 200 (major units) a day, within the noise.
    assert fit.curve.predict(200 * M) == pytest.approx(50, rel=0.1)
    assert fit.curve.marginal_return(100 * M) > fit.curve.marginal_return(300 * M) > 0


def test_the_better_of_the_two_curves_is_kept() -> None:
    x = np.linspace(20, 400, 40)
    log_shaped = 30 * np.log1p(x / 50) * (1 + 0.01 * np.sin(np.arange(40)))
    history = ChannelHistory("x", [int(v * M) for v in x], [float(v) for v in log_shaped])
    fit = fit_response_curve(history)
    assert fit.curve is not None
    assert fit.curve.model in ("hill", "log")
    assert fit.curve.adjusted_r2 > 0.99


def test_a_short_history_is_reported_with_what_is_missing() -> None:
    short = hill_history("meta", 100, 200, 1.0, 150, days=10)
    fit = fit_response_curve(short)
    assert fit.status == "insufficient_history"
    assert fit.curve is None
    assert fit.reason == "10 days with spend > 0 and a known goal; need 14"


def test_days_without_spend_or_goal_do_not_count() -> None:
    history = hill_history("meta", 100, 200, 1.0, 150, days=20)
    spend = list(history.spend_micros)
    goal = list(history.goal)
    spend[:4] = [0, 0, None, 0]
    goal[4:7] = [None, None, None]
    fit = fit_response_curve(ChannelHistory("meta", spend, goal))
    assert fit.status == "insufficient_history"
    assert fit.days_with_spend == 13


def test_flat_spend_is_insufficient_history() -> None:
    spend: list[int | None] = [100 * M] * 30
    goal: list[float | None] = [float(10 + i % 3) for i in range(30)]
    fit = fit_response_curve(ChannelHistory("meta", spend, goal))
    assert fit.status == "insufficient_history"
    assert fit.reason is not None
    assert "barely varies" in fit.reason


def test_a_goal_that_never_moves_has_no_fit() -> None:
    spend: list[int | None] = [(50 + 10 * (i % 7)) * M for i in range(30)]
    fit = fit_response_curve(ChannelHistory("meta", spend, [5.0] * 30))
    assert (fit.status, fit.reason) == ("no_fit", "the goal never varies")
    uneven = fit_response_curve(ChannelHistory("meta", spend, [5.0] * 29))
    assert uneven.status == "no_fit"


def test_unfittable_channels_are_excluded_with_their_reasons() -> None:
    short = hill_history("snap", 10, 10, 1.0, 10, days=5)
    result = recommend_allocation([*three_channels(), short], 330 * M, NO_BOOTSTRAP)
    assert result.status == "ok"
    assert [c.channel for c in result.channels] == ["meta", "google_ads", "tiktok_ads"]
    assert [(e.channel, e.status) for e in result.excluded] == [("snap", "insufficient_history")]
    nothing = recommend_allocation([short], 10 * M, NO_BOOTSTRAP)
    assert (nothing.status, nothing.channels) == ("no_channels", ())
    assert nothing.excluded[0].reason == "5 days with spend > 0 and a known goal; need 14"


def test_a_channel_that_stopped_spending_gets_no_bounds() -> None:
    history = hill_history("meta", 100, 200, 1.0, 150, days=40)
    stopped = ChannelHistory(
        "meta", [*history.spend_micros, *[0] * 28], [*history.goal, *[0.0] * 28]
    )
    result = recommend_allocation([stopped, three_channels()[1]], 80 * M, NO_BOOTSTRAP)
    assert [(e.channel, e.status) for e in result.excluded] == [("meta", "no_recent_spend")]


def test_a_budget_outside_the_bounds_is_infeasible() -> None:
    channels = three_channels()
    result = recommend_allocation(channels, 10 * M, NO_BOOTSTRAP)
    assert result.status == "infeasible"
    assert result.reason is not None
    assert "0.5x to 2.0x" in result.reason
    assert recommend_allocation(channels, 10_000 * M, NO_BOOTSTRAP).status == "infeasible"


def test_interior_channels_end_with_equal_marginal_returns() -> None:
    result = recommend_allocation(three_channels(), 330 * M, NO_BOOTSTRAP)
    assert result.status == "ok"
    interior = [c for c in result.channels if c.at_bound is None]
    assert len(interior) >= 2
    returns = [c.marginal_return_after for c in interior]
    assert max(returns) == pytest.approx(min(returns), rel=1e-3)
    # A channel held at its lower bound earns less at the margin than the interior ones, and
    # one held at its upper bound more: no dollar could move and add to the goal.
    for channel in result.channels:
        if channel.at_bound == "lower":
            assert channel.marginal_return_after <= min(returns) * (1 + 1e-3)
        if channel.at_bound == "upper":
            assert channel.marginal_return_after >= max(returns) * (1 - 1e-3)
    assert result.expected_goal is not None
    assert result.current_expected_goal is not None
    current_total = sum(c.current_daily_micros for c in result.channels)
    same_money = recommend_allocation(three_channels(), current_total, NO_BOOTSTRAP)
    assert same_money.expected_goal is not None
    assert same_money.current_expected_goal is not None
    assert same_money.expected_goal >= same_money.current_expected_goal - 1e-9


@settings(max_examples=25, deadline=None)
@given(share=st.floats(0, 1))
def test_the_split_respects_every_bound_and_the_total(share: float) -> None:
    channels = three_channels()
    probe = recommend_allocation(channels, 330 * M, NO_BOOTSTRAP)
    low = sum(c.lower_micros for c in probe.channels)
    high = sum(c.upper_micros for c in probe.channels)
    total = low + round(share * (high - low))
    result = recommend_allocation(channels, total, NO_BOOTSTRAP)
    assert result.status == "ok"
    assert sum(c.recommended_daily_micros for c in result.channels) == total
    for channel in result.channels:
        assert channel.lower_micros <= channel.recommended_daily_micros <= channel.upper_micros
        assert channel.lower_micros == -(-channel.current_daily_micros // 2)
        assert channel.upper_micros == 2 * channel.current_daily_micros


def test_the_interval_is_reproducible_and_holds_the_expected_goal() -> None:
    chosen = AllocatorSettings(bootstrap_samples=40, seed=7)
    first = recommend_allocation(three_channels(), 330 * M, chosen)
    again = recommend_allocation(three_channels(), 330 * M, chosen)
    assert first.expected_goal_interval == again.expected_goal_interval
    assert first.uplift_interval == again.uplift_interval
    assert (first.bootstrap_samples, first.seed, first.interval_level) == (40, 7, 0.9)
    assert first.bootstrap_failed == 0
    assert first.expected_goal_interval is not None
    assert first.expected_goal is not None
    low, high = first.expected_goal_interval
    assert low <= first.expected_goal <= high
    other_seed = recommend_allocation(
        three_channels(), 330 * M, AllocatorSettings(bootstrap_samples=40, seed=8)
    )
    assert other_seed.expected_goal_interval != first.expected_goal_interval


def test_settings_defaults_are_explicit() -> None:
    assert CurveSettings() == CurveSettings(min_days=14, min_spend_cv=0.10, min_r2=0.0)
    defaults = AllocatorSettings()
    assert (defaults.lower_multiplier, defaults.upper_multiplier) == (0.5, 2.0)
    assert (defaults.recent_days, defaults.bootstrap_samples, defaults.seed) == (28, 200, 0)
