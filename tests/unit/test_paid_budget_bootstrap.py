"""The budget advice's intervals respect day-to-day correlation: the bootstrap draws residuals
in runs of consecutive days (circular moving blocks), so errors that persist over days widen the
interval as they should, where drawing days one at a time would understate how unsure a curve
is."""

from __future__ import annotations

import numpy as np

from shared.paid.budget import AllocatorSettings
from shared.paid.budget.bootstrap import block_indices


def test_blocks_are_runs_of_consecutive_days_that_wrap_around() -> None:
    drawn = block_indices(10, 4, np.random.default_rng(1))
    assert len(drawn) == 10
    for block in (drawn[0:4], drawn[4:8]):
        assert [int(d) for d in np.diff(block) % 10] == [1, 1, 1]
    wrapped = block_indices(5, 5, np.random.default_rng(2))
    assert sorted(int(d) for d in wrapped) == [0, 1, 2, 3, 4]


def test_correlated_errors_widen_the_interval_as_the_advice_is_configured() -> None:
    rng = np.random.default_rng(5)
    days = 84
    errors = np.zeros(days)
    for t in range(1, days):  # AR(1): a day's error carries 80 % into the next
        errors[t] = 0.8 * errors[t - 1] + rng.standard_normal()

    def spread(block_days: int) -> float:
        draws = np.random.default_rng(0)
        means = [errors[block_indices(days, block_days, draws)].mean() for _ in range(2000)]
        return float(np.std(means))

    configured = AllocatorSettings().block_days
    assert configured == 7
    assert spread(configured) > 1.8 * spread(1)
