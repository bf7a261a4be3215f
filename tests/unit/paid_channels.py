"""Simulated paid channels with a known truth: geometric adstock, a Hill curve and weekday
demand, and the budget split that truly maximises their summed goal.

goal_t = demand[weekday(t)] * top / (1 + (k / adstocked_t)^s) * (1 + noise), with the demand
averaging 1 over the week, so the true goal of a steady daily spend x (an average weekday) is
top / (1 + (k (1 - theta) / x)^s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import optimize

from shared.paid.budget import ChannelHistory
from shared.paid.budget.adstock import Array, geometric_adstock

M = 1_000_000  # micros per major unit
MONDAY = date(2026, 6, 1)
DEMAND = np.array([0.9, 0.95, 1.0, 1.0, 1.05, 1.25, 0.85])
"""Monday first; a busy Saturday, a quiet Sunday; mean 1."""


@dataclass(frozen=True)
class TrueChannel:
    name: str
    top: float
    k: float
    """Adstocked spend (major units) at half the saturation level."""
    s: float
    theta: float
    average: float
    """Typical daily spend, major units."""
    follows_demand: float = 0.0
    """Spend is multiplied by demand to this power: budgets paced to busy days."""
    spread: tuple[float, float] = (0.4, 1.8)
    """Daily spend is average x uniform(spread), before the demand pacing."""

    def goal(self, daily_spend: float) -> float:
        """The true goal per day of a steady daily spend (major units), carry-over included."""
        return float(self.top / (1 + (self.k * (1 - self.theta) / daily_spend) ** self.s))

    def marginal(self, daily_spend: float) -> float:
        step = 1e-4 * daily_spend
        return (self.goal(daily_spend + step) - self.goal(daily_spend - step)) / (2 * step)

    def history(self, days: int, seed: int, noise: float = 0.04) -> ChannelHistory:
        rng = np.random.default_rng(seed)
        demand = DEMAND[(MONDAY.weekday() + np.arange(days)) % 7]
        spend = self.average * rng.uniform(*self.spread, days) * demand**self.follows_demand
        adstocked = geometric_adstock(spend, self.theta)
        curve = self.top / (1 + (self.k / adstocked) ** self.s)
        goal = demand * curve * (1 + noise * rng.standard_normal(days))
        return ChannelHistory(
            self.name, [int(v * M) for v in spend], [float(v) for v in goal], MONDAY
        )


def true_optimum(
    channels: list[TrueChannel], total: float, lower: list[float], upper: list[float]
) -> Array:
    """The split (major units a day) that maximises the true summed goal within the bounds."""

    def lost(x: Array) -> float:
        return -sum(c.goal(float(v)) for c, v in zip(channels, x, strict=True))

    start = np.array(lower) + (total - sum(lower)) * np.ones(len(channels)) / len(channels)
    found = optimize.minimize(
        lost,
        np.clip(start, lower, upper),
        method="SLSQP",
        bounds=list(zip(lower, upper, strict=True)),
        constraints=[{"type": "eq", "fun": lambda x: float(np.sum(x)) - total}],
        options={"ftol": 1e-12, "maxiter": 500},
    )
    assert found.success
    best: Array = np.asarray(found.x, dtype=float)
    return best


def true_total(channels: list[TrueChannel], split: list[float]) -> float:
    return sum(c.goal(v) for c, v in zip(channels, split, strict=True))
