"""Sample ratio mismatch (chi-square against the weights) and the sample size calculation,
on cases small enough to compute by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

from shared.experiments.stats import AnalysisSettings, required_sample_size, srm_p_values
from shared.experiments.stats.power import z_sum


def split(users: dict[str, list[int]], weights: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"experiment_id": e, "variant_id": f"v{i}", "users": n, "weight": weights[i]}
            for e, counts in users.items()
            for i, n in enumerate(counts)
        ]
    )


def test_srm_is_pearsons_chi_square_per_experiment() -> None:
    frame = split({"even": [100, 100], "skewed": [120, 80]}, [1.0, 1.0])
    result = srm_p_values(frame).set_index("experiment_id")
    assert result.loc["even", "srm_p_value"] == pytest.approx(1.0)
    # (120 - 100)^2 / 100 + (80 - 100)^2 / 100 = 8 on one degree of freedom
    assert result.loc["skewed", "srm_p_value"] == pytest.approx(stats.chi2.sf(8, 1))
    assert not result["srm_flagged"].any()


def test_srm_uses_the_weights_and_flags_below_the_threshold() -> None:
    frame = split({"e": [2_300, 7_700]}, [0.2, 0.8])
    result = srm_p_values(frame).iloc[0]
    assert result["srm_p_value"] == pytest.approx(stats.chi2.sf(300**2 / 2_000 + 300**2 / 8_000, 1))
    assert result["srm_flagged"]
    lenient = srm_p_values(frame, AnalysisSettings(srm_threshold=1e-20)).iloc[0]
    assert not lenient["srm_flagged"]


def test_srm_with_no_users_is_not_flagged() -> None:
    result = srm_p_values(split({"e": [0, 0, 0]}, [1.0, 1.0, 1.0])).iloc[0]
    assert result["srm_p_value"] == 1.0
    assert not result["srm_flagged"]


def test_sample_size_by_hand() -> None:
    size = required_sample_size(0.1, 0.2)
    p1, p2 = 0.1, 0.12
    unit = p2 * (1 - p2) / (p1**2 * 0.5) + p1 * (1 - p1) * p2**2 / (p1**4 * 0.5)
    total = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * unit / 0.2**2
    assert size.reason is None
    assert size.per_variant == (math.ceil(total / 2), math.ceil(total / 2))
    assert size.total == sum(n or 0 for n in size.per_variant)


def test_sample_size_grows_with_power_and_shrinks_with_the_mde() -> None:
    base = required_sample_size(0.05, 0.1)
    assert base.total is not None
    stronger = required_sample_size(0.05, 0.1, power=0.9).total
    bigger_lift = required_sample_size(0.05, 0.2).total
    assert stronger is not None
    assert bigger_lift is not None
    assert stronger > base.total > bigger_lift
    assert z_sum(0.05, 0.8, two_sided=False) < z_sum(0.05, 0.8)


def test_sample_size_follows_unequal_and_multi_arm_weights() -> None:
    size = required_sample_size(0.05, 0.1, weights=(2.0, 1.0, 1.0))
    control, b, c = size.per_variant
    assert control is not None
    assert b is not None
    assert control == pytest.approx(2 * b, abs=1)
    assert b == c


@pytest.mark.parametrize(
    ("rate", "mde", "weights"),
    [(0.9, 0.2, (1.0, 1.0)), (0.0, 0.1, (1.0, 1.0)), (0.1, 0.1, (0.0, 1.0)), (0.1, 0.1, (1.0,))],
)
def test_sample_size_without_an_answer_says_why(
    rate: float, mde: float, weights: tuple[float, ...]
) -> None:
    size = required_sample_size(rate, mde, weights=weights)
    assert size.total is None
    assert set(size.per_variant) == {None}
    assert size.reason
