"""Scores' pure rules: period keys (a rerun of a period replaces it), the engagement decay,
the pooling of NPS scales without changing a category, and churn risk's components, weights
and reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.insights.nps import nps
from shared.scores.churn import WEIGHTS, ChurnInputs, churn_risk
from shared.scores.engagement import DEFAULT_WEIGHTS, decayed, effective, person_scores
from shared.scores.models import EngagementSettings, expires_at, period_end, period_of
from shared.scores.nps_service import bucket, category, on_nps_scale, pooled


@pytest.mark.parametrize(
    ("score_type", "moment", "key", "start"),
    [
        ("engagement", datetime(2026, 12, 2, 23, 59, tzinfo=UTC), "2026-12-02", date(2026, 12, 2)),
        ("nps", datetime(2026, 12, 2, 0, 0, tzinfo=UTC), "2026-12-02", date(2026, 12, 2)),
        ("churn_risk", datetime(2026, 12, 2, 12, tzinfo=UTC), "2026-W49", date(2026, 11, 30)),
        ("churn_risk", datetime(2027, 1, 1, 12, tzinfo=UTC), "2026-W53", date(2026, 12, 28)),
        ("churn_risk", datetime(2026, 12, 6, 23, tzinfo=UTC), "2026-W49", date(2026, 11, 30)),
    ],
)
def test_every_moment_of_a_period_has_the_periods_key(
    score_type: str, moment: datetime, key: str, start: date
) -> None:
    assert period_of(score_type, moment) == (key, start)


def test_a_score_expires_after_its_period_and_the_grace() -> None:
    assert expires_at("engagement", date(2026, 12, 2)) == datetime(2026, 12, 3, 6, tzinfo=UTC)
    assert expires_at("churn_risk", date(2026, 11, 30)) == datetime(2026, 12, 7, 6, tzinfo=UTC)


def test_an_event_loses_half_its_points_every_half_life() -> None:
    assert decayed(10, 0, 30) == 10
    assert decayed(10, 30, 30) == pytest.approx(5)
    assert decayed(10, 90, 30) == pytest.approx(1.25)


def test_the_organizations_weights_replace_the_defaults_kind_by_kind() -> None:
    weights, half_life = effective(
        EngagementSettings(weights={"page_view": 2.0}, half_life_days=7.0)
    )
    assert weights == {**DEFAULT_WEIGHTS, "page_view": 2.0}
    assert half_life == 7.0
    assert effective(None) == (DEFAULT_WEIGHTS, 30.0)


def test_a_persons_engagement_is_the_sum_of_their_event_kinds() -> None:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    rows = [
        {"person_id": "p1", "event": "purchase", "events": 1, "points": 10.0, "last_at": at},
        {"person_id": "p1", "event": "page_view", "events": 4, "points": 2.5, "last_at": at},
        {"person_id": "p2", "event": "feedback", "events": 1, "points": 2.5, "last_at": at},
    ]
    scores = {s.person_id: s for s in person_scores(rows, DEFAULT_WEIGHTS, 30.0)}
    assert scores["p1"].value == 12.5
    assert scores["p1"].breakdown["events"]["page_view"] == {
        "events": 4,
        "weight": 1.0,
        "points": 2.5,
    }
    assert scores["p2"].value == 2.5


@pytest.mark.parametrize(
    ("rating", "scale", "expected"),
    [(5, "stars_1_5", "promoter"), (4, "stars_1_5", "passive"), (3, "stars_1_5", "detractor")],
)
def test_pooling_a_one_to_five_rating_keeps_its_category(
    rating: int, scale: str, expected: str
) -> None:
    assert category(on_nps_scale(rating, scale)) == expected
    (whole,) = pooled([{"scale": scale, "rating": rating, "answers": 1}])
    assert category(whole) == expected


def test_mixed_scales_pool_into_one_score() -> None:
    rows = [
        {"scale": "nps_0_10", "rating": 10, "answers": 3},
        {"scale": "nps_0_10", "rating": 2, "answers": 1},
        {"scale": "stars_1_5", "rating": 4, "answers": 2},
        {"scale": "stars_1_5", "rating": 5, "answers": 1},
    ]
    result = nps(pooled(rows))
    assert (result.n, result.promoters, result.passives, result.detractors) == (7, 4, 2, 1)
    assert result.score == pytest.approx(300 / 7)


def test_days_bucket_into_iso_weeks_and_months() -> None:
    assert bucket(date(2026, 12, 2), "week") == date(2026, 11, 30)
    assert bucket(date(2026, 12, 2), "month") == date(2026, 12, 1)


def test_a_lapsed_unhappy_buyer_is_at_high_risk_and_told_why() -> None:
    risk = churn_risk(
        ChurnInputs(
            p_alive=0.1,
            days_since_last_event=200,
            recent_events=0,
            prior_events=8,
            mean_sentiment=-0.8,
        )
    )
    assert risk is not None
    assert risk.value == pytest.approx(100 * (0.4 * 0.9 + 0.25 * 1 + 0.2 * 1 + 0.15 * 0.9))
    assert sum(c["points"] for c in risk.components.values()) == pytest.approx(risk.value)
    assert risk.reasons[0] == "P(alive) is 0.10"
    assert "last seen 200 days ago" in risk.reasons
    assert "events fell from 8 to 0 between the last two 90-day windows" in risk.reasons


def test_an_active_happy_buyer_is_at_low_risk() -> None:
    risk = churn_risk(
        ChurnInputs(
            p_alive=0.95,
            days_since_last_event=2,
            recent_events=10,
            prior_events=8,
            mean_sentiment=0.9,
        )
    )
    assert risk is not None
    assert risk.value < 10
    assert risk.reasons == []


def test_unknown_components_are_left_out_and_the_weights_rescaled() -> None:
    risk = churn_risk(
        ChurnInputs(
            p_alive=None,
            days_since_last_event=90,
            recent_events=0,
            prior_events=0,
            mean_sentiment=None,
        )
    )
    assert risk is not None
    assert risk.value == pytest.approx(50.0)  # recency alone: 90 of 180 days
    assert risk.components["recency"]["weight"] == 1.0
    assert risk.components["p_alive"]["risk"] is None
    assert risk.components["p_alive"]["explanation"].startswith("no purchase model")
    assert risk.components["sentiment"]["points"] is None
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_a_person_with_nothing_known_gets_no_score() -> None:
    assert churn_risk(ChurnInputs(None, None, 0, 0, None)) is None


def test_a_scheduled_run_scores_as_of_the_last_instant_of_its_period() -> None:
    monday, sunday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC), datetime(2026, 12, 6, 23, tzinfo=UTC)
    week_end = datetime(2026, 12, 6, 23, 59, 59, 999_999, tzinfo=UTC)
    assert period_end("churn_risk", monday) == period_end("churn_risk", sunday) == week_end
    assert period_of("churn_risk", week_end) == period_of("churn_risk", monday)
    day_end = datetime(2026, 12, 2, 23, 59, 59, 999_999, tzinfo=UTC)
    assert period_end("engagement", datetime(2026, 12, 2, 7, 44, tzinfo=UTC)) == day_end
