"""Response curves and the budget allocator: fits, bounds, equal marginal returns at an interior
optimum, reproducible intervals, the histories too short to fit (reported, not raised), and the
reply the API gives. Carry-over and weekday demand: test_paid_budget_adstock; the true optimum
and the extrapolation cap: test_paid_budget_optimum; the label: test_paid_budget_confidence."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from shared.paid.budget import (
    AllocatorSettings,
    BoundSettings,
    ChannelHistory,
    CurveSettings,
    fit_response_curve,
    recommend_allocation,
)
from shared.paid.budget.reply import recommendation_reply

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
    assert "at most 1.5x the highest daily spend each has had" in result.reason
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


def test_the_interval_is_reproducible_and_holds_the_expected_goal() -> None:
    chosen = AllocatorSettings(bootstrap_samples=20, seed=7)
    first = recommend_allocation(three_channels(), 330 * M, chosen)
    again = recommend_allocation(three_channels(), 330 * M, chosen)
    assert first.expected_goal_interval == again.expected_goal_interval
    assert first.uplift_interval == again.uplift_interval
    assert (first.bootstrap_samples, first.seed, first.interval_level) == (20, 7, 0.9)
    assert first.bootstrap_failed == 0
    assert first.expected_goal_interval is not None
    assert first.expected_goal is not None
    low, high = first.expected_goal_interval
    assert low <= first.expected_goal <= high
    other_seed = recommend_allocation(
        three_channels(), 330 * M, AllocatorSettings(bootstrap_samples=20, seed=8)
    )
    assert other_seed.expected_goal_interval != first.expected_goal_interval


def test_settings_defaults_are_explicit() -> None:
    assert CurveSettings() == CurveSettings(
        min_days=14, min_spend_cv=0.10, min_r2=0.0, min_days_per_weekday=3
    )
    defaults = AllocatorSettings()
    assert defaults.bounds == BoundSettings(
        lower_multiplier=0.5, upper_multiplier=2.0, history_multiplier=1.5
    )
    assert (defaults.recent_days, defaults.bootstrap_samples, defaults.seed) == (28, 100, 0)
    assert (defaults.block_days, defaults.interval_level) == (7, 0.9)


def test_the_reply_carries_every_channel_and_exclusion() -> None:
    short = hill_history("snap", 10, 10, 1.0, 10, days=5)
    chosen = AllocatorSettings(bootstrap_samples=10, seed=2)
    advice = recommend_allocation([*three_channels(), short], 330 * M, chosen)
    reply = recommendation_reply("conversions", advice, allow_extrapolation=False)
    body = reply.model_dump(mode="json")
    assert body["total_daily_budget_micros"] == 330 * M
    assert body["advice"]["confidence"] in ("directional", "moderate", "strong")
    assert [c["channel"] for c in body["advice"]["channels"]] == [
        "meta",
        "google_ads",
        "tiktok_ads",
    ]
    meta = body["advice"]["channels"][0]
    assert set(meta["curve"]["parameters"]) >= {"theta"}
    assert set(meta["curve"]["parameter_intervals"]) == set(meta["curve"]["parameters"])
    # The history is undated, so the weekday factors are fitted but not named.
    assert meta["curve"]["weekday_factors"] is None
    assert body["advice"]["excluded"] == [
        {
            "channel": "snap",
            "status": "insufficient_history",
            "reason": "5 days with spend > 0 and a known goal; need 14",
            "days_with_spend": 5,
        }
    ]
    assert body["advice"]["bootstrap"] == {
        "samples": 10,
        "failed": 0,
        "block_days": 7,
        "interval_level": 0.9,
        "seed": 2,
    }


def test_a_campaign_without_spend_gets_a_reason_not_advice() -> None:
    reply = recommendation_reply("clicks", None, allow_extrapolation=True)
    assert reply.total_daily_budget_micros is None
    assert (reply.advice.status, reply.advice.reason) == (
        "no_channels",
        "no paid spend is linked to this campaign",
    )
    assert reply.advice.confidence is None
    assert reply.advice.allow_extrapolation
