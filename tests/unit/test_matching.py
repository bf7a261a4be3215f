"""Ranking eligible creators and splitting the budget."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.allocations.matching import Candidate, rank_candidates, reasons_for, split_budget


def candidate(creator: str, platform: str = "instagram", **fields: object) -> Candidate:
    values: dict[str, object] = {
        "creator_id": creator,
        "platform": platform,
        "username": creator,
        "followers": 10_000,
        "engagement_rate": 0.02,
        "verified": False,
        "tier": "mid-tier",
        "location": "DE",
    }
    values.update(fields)
    return Candidate(**values)  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10**12), st.integers(min_value=1, max_value=100))
def test_fees_add_up_to_the_budget_and_differ_by_at_most_one_unit(budget: int, parts: int) -> None:
    fees = split_budget(budget, parts)
    assert sum(fees) == budget
    assert len(fees) == parts
    assert max(fees) - min(fees) <= 1
    assert fees == sorted(fees, reverse=True)


def test_verified_creators_come_first_then_engagement() -> None:
    ranked = rank_candidates(
        [
            candidate("declared-high", engagement_rate=0.09),
            candidate("verified-low", verified=True, engagement_rate=0.01),
            candidate("verified-high", verified=True, engagement_rate=0.05),
            candidate("unknown-rate", engagement_rate=None),
        ]
    )
    assert [c.creator_id for c in ranked] == [
        "verified-high",
        "verified-low",
        "declared-high",
        "unknown-rate",
    ]


def test_a_creator_is_ranked_once_at_its_best_platform() -> None:
    ranked = rank_candidates(
        [
            candidate("a", "tiktok", engagement_rate=0.01),
            candidate("a", "instagram", engagement_rate=0.04),
            candidate("b", "instagram", engagement_rate=0.03),
        ]
    )
    assert [(c.creator_id, c.platform) for c in ranked] == [("a", "instagram"), ("b", "instagram")]


def test_reasons_say_why_and_whether_numbers_are_verified() -> None:
    reasons = reasons_for(candidate("a", verified=True, engagement_rate=0.0425), 1, 7)
    assert reasons[0] == "ranked 1 of 7 eligible creators"
    assert "verified by scraping" in reasons[1]
    assert "engagement rate 4.25%" in reasons
