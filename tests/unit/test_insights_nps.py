"""NPS on hand-worked ratings: the promoter/passive/detractor cut-offs, the 1-5 mapping, the
margin of error from SE = sqrt((p + d - (p - d)^2) / n), the z-test of a change between two
periods, and nulls with a reason for an empty period."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.insights.nps import EMPTY_REASON, nps, nps_change, to_nps_scale

Z95 = 1.959963984540054


def test_hand_worked_score_and_margin() -> None:
    result = nps([10, 9, 8, 7, 6, 0, 10, 10, 5, 3])
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 4, 2, 4)
    assert result.score == pytest.approx(0.0)
    assert result.standard_error == pytest.approx(math.sqrt(0.08) * 100)
    assert result.margin_of_error == pytest.approx(Z95 * math.sqrt(0.08) * 100)
    assert result.confidence == 0.95
    assert result.reason is None


def test_one_to_five_maps_linearly_onto_zero_to_ten() -> None:
    assert [to_nps_scale(r, "1-5") for r in (1, 2, 3, 4, 5)] == [0.0, 2.5, 5.0, 7.5, 10.0]
    result = nps([5, 5, 4, 3, 2, 1], scale="1-5")
    assert (result.promoters, result.passives, result.detractors) == (2, 1, 3)
    assert result.score == pytest.approx((2 - 3) / 6 * 100)


@pytest.mark.parametrize(
    ("rating", "scale"),
    [(11, "0-10"), (-1, "0-10"), (7.5, "0-10"), (math.nan, "0-10"), (0, "1-5"), (6, "1-5")],
)
def test_a_rating_outside_its_scale_names_the_rating(rating: float, scale: str) -> None:
    with pytest.raises(ValueError, match=r"^rating: "):
        nps([8, rating], scale=scale)  # type: ignore[arg-type]


def test_an_unknown_scale_names_the_scale() -> None:
    with pytest.raises(ValueError, match=r"^scale: "):
        to_nps_scale(5, "1-7")  # type: ignore[arg-type]


def test_an_empty_period_is_nulls_with_the_reason() -> None:
    result = nps([])
    assert (result.n, result.score, result.standard_error, result.margin_of_error) == (
        0,
        None,
        None,
        None,
    )
    assert result.reason == EMPTY_REASON


def test_a_change_between_periods_with_its_z_test() -> None:
    before = nps([10] * 50 + [8] * 20 + [3] * 30)
    after = nps([10] * 60 + [8] * 20 + [3] * 20)
    change = nps_change(before, after)
    se = math.sqrt((0.8 - 0.2**2) / 100 + (0.8 - 0.4**2) / 100) * 100
    assert change.difference == pytest.approx(20.0)
    assert change.standard_error == pytest.approx(se)
    assert change.z == pytest.approx(20.0 / se)
    assert change.p_value == pytest.approx(0.0910, abs=5e-4)
    assert change.significant is False
    larger = nps_change(
        nps([10] * 500 + [8] * 200 + [3] * 300), nps([10] * 600 + [8] * 200 + [3] * 200)
    )
    assert larger.significant is True
    assert larger.p_value is not None
    assert larger.p_value < 1e-6


def test_a_change_that_cannot_be_tested_says_why() -> None:
    empty = nps_change(nps([]), nps([10, 9]))
    assert (empty.difference, empty.z, empty.significant) == (None, None, None)
    assert empty.reason == "before: " + EMPTY_REASON
    assert nps_change(nps([9]), nps([])).reason == "after: " + EMPTY_REASON
    constant = nps_change(nps([10, 9]), nps([0, 3]))
    assert constant.difference == pytest.approx(-200.0)
    assert constant.z is None
    assert constant.reason is not None


def test_bad_levels_name_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^confidence: "):
        nps([9], confidence=1.0)
    with pytest.raises(ValueError, match=r"^alpha: "):
        nps_change(nps([9, 1]), nps([9, 1]), alpha=0.0)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=200))
def test_score_and_margin_stay_in_range(ratings: list[int]) -> None:
    result = nps(ratings)
    assert result.promoters + result.passives + result.detractors == len(ratings)
    assert result.score is not None
    assert -100 <= result.score <= 100
    assert result.margin_of_error is not None
    assert 0 <= result.margin_of_error <= Z95 * 100
