"""Churn risk's treatment of what the components cannot know: a one-time buyer's P(alive) (1
by construction under BG/NBD) is left out rather than read as "certainly alive", a person
without activity before the recent window has no trend rather than a zero one, and recency is
measured against the organization's own return gaps once it has enough of them."""

from __future__ import annotations

import pytest

from shared.scores.churn import (
    MIN_RETURN_GAPS,
    RECENCY_FULL_DAYS,
    ChurnInputs,
    ReturnGaps,
    churn_risk,
)

WEEKLY = ReturnGaps.of([{"gap_days": d, "gaps": 10} for d in (1, 3, 7, 14)])
"""An organization whose people come back within two weeks (40 gaps)."""


def inputs(**overrides: object) -> ChurnInputs:
    base: dict[str, object] = {
        "p_alive": None,
        "days_since_last_event": 1.0,
        "recent_events": 0,
        "prior_events": 0,
        "mean_sentiment": None,
    }
    return ChurnInputs(**{**base, **overrides})  # type: ignore[arg-type]


def test_a_one_time_buyers_p_alive_of_one_is_left_out_and_recency_carries_the_score() -> None:
    gone = churn_risk(
        inputs(p_alive=1.0, repeat_purchases=0, days_since_last_event=300, recent_events=0)
    )
    assert gone is not None
    assert gone.components["p_alive"]["risk"] is None
    assert gone.components["p_alive"]["explanation"].startswith("one purchase day only")
    assert gone.value == pytest.approx(100.0)
    assert gone.reasons == ["last seen 300 days ago"]


def test_a_repeat_buyers_p_alive_counts() -> None:
    risk = churn_risk(inputs(p_alive=0.2, repeat_purchases=3, days_since_last_event=0))
    assert risk is not None
    assert risk.components["p_alive"]["risk"] == pytest.approx(0.8)
    assert risk.reasons == ["P(alive) is 0.20"]


def test_no_events_in_the_prior_window_leaves_the_trend_unknown_not_zero() -> None:
    for recent in (0, 5):
        risk = churn_risk(inputs(recent_events=recent, prior_events=0, days_since_last_event=90))
        assert risk is not None
        assert risk.components["frequency_trend"]["risk"] is None
        assert risk.value == pytest.approx(100 * 90 / RECENCY_FULL_DAYS)


def test_a_drop_between_the_windows_is_a_risk_and_growth_is_none() -> None:
    fell = churn_risk(inputs(recent_events=1, prior_events=4))
    grew = churn_risk(inputs(recent_events=6, prior_events=4))
    assert fell is not None
    assert grew is not None
    assert fell.components["frequency_trend"]["risk"] == pytest.approx(0.75)
    assert grew.components["frequency_trend"]["risk"] == 0.0


def test_recency_is_the_share_of_the_organizations_return_gaps_shorter_than_the_silence() -> None:
    assert WEEKLY.total == 40 >= MIN_RETURN_GAPS
    assert [WEEKLY.share_shorter_than(d) for d in (0.5, 2, 7, 7.5, 60)] == [0, 0.25, 0.5, 0.75, 1]
    lapsed = churn_risk(inputs(days_since_last_event=20, return_gaps=WEEKLY))
    assert lapsed is not None
    assert lapsed.value == pytest.approx(100.0)
    assert lapsed.reasons == [
        "last seen 20 days ago; 100% of the organization's 40 return gaps were shorter"
    ]
    seen_today = churn_risk(inputs(days_since_last_event=0.2, return_gaps=WEEKLY))
    assert seen_today is not None
    assert seen_today.value == 0


def test_too_few_return_gaps_fall_back_to_the_linear_recency() -> None:
    few = ReturnGaps.of([{"gap_days": 2, "gaps": MIN_RETURN_GAPS - 1}])
    risk = churn_risk(inputs(days_since_last_event=45, return_gaps=few))
    assert risk is not None
    assert risk.value == pytest.approx(100 * 45 / RECENCY_FULL_DAYS)
    assert ReturnGaps.of([]).share_shorter_than(10) == 0.0


def test_a_lapsing_repeat_buyer_outranks_an_active_unhappy_one() -> None:
    lapsing = churn_risk(
        inputs(p_alive=0.08, repeat_purchases=2, days_since_last_event=65, return_gaps=WEEKLY)
    )
    unhappy = churn_risk(
        inputs(
            p_alive=0.35,
            repeat_purchases=1,
            days_since_last_event=0.1,
            recent_events=5,
            mean_sentiment=-0.7,
            return_gaps=WEEKLY,
        )
    )
    assert lapsing is not None
    assert unhappy is not None
    assert lapsing.value >= 60 > unhappy.value
