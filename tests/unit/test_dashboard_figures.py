"""The dashboard's pure assembly: money kept per currency (never summed across), every None
figure with its reason (the currency rule first, then the KPI's own inputs), ranking, and the
funnel's drop-offs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.dashboard.figures import (
    conversions_forecast,
    funnel_stages,
    groups_of,
    money_unknown,
    ranked,
)
from shared.dashboard.models import MAX_RANGE_DAYS, FunnelQuery, RangeQuery


def row(key: str | None, currency: str | None, **figures: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "group_key": key,
        "currency": currency,
        "spend_micros": None,
        "engagements": None,
        "conversions": 4.0,
        "conversion_value_micros": None,
        "spend_currencies": 1,
        "money_currencies": 1,
        "cpa": None,
        "roas": None,
        "cpe": None,
    }
    return base | figures


def test_each_currency_stays_its_own_entry() -> None:
    rows = [
        row("c1", "EUR", spend_micros=10_000_000, spend_currencies=2, money_currencies=2),
        row("c1", "USD", spend_micros=5_000_000, spend_currencies=2, money_currencies=2),
        row(
            "c2",
            "EUR",
            spend_micros=1_000_000,
            conversion_value_micros=3_000_000,
            roas=3.0,
            cpa=0.25,
        ),
    ]
    c1, c2 = groups_of(rows)
    assert [(m.currency, m.spend_micros) for m in c1.money] == [
        ("EUR", 10_000_000),
        ("USD", 5_000_000),
    ]
    assert c1.money[0].unknown["cpa"] == "money in 2 currencies; no exchange rates are applied"
    assert c1.money[0].unknown["roas"].startswith("money in 2 currencies")
    assert c2.money[0].roas == 3.0
    assert "roas" not in c2.money[0].unknown


def test_a_none_kpi_names_the_input_it_lacks() -> None:
    no_spend = money_unknown(row("c", "EUR", conversion_value_micros=5))
    assert no_spend["roas"].startswith("no spend recorded")
    assert no_spend["cpa"].startswith("no spend recorded")
    zero = money_unknown(row("c", "EUR", spend_micros=10, conversions=0.0, engagements=0))
    assert zero["cpa"] == "conversions is 0"
    assert zero["cost_per_engagement"] == "engagements is 0"
    untracked = money_unknown(row("c", "EUR", spend_micros=10, conversions=None, engagements=3))
    assert untracked["cpa"].startswith("no conversions tracked")
    assert untracked["conversion_value_micros"].startswith("no conversion value")


def test_conversions_without_value_count_but_carry_no_money() -> None:
    (group,) = groups_of([row(None, None, conversions=2.0)])
    assert group.key is None
    assert group.conversions == 2.0
    assert group.money == []
    assert "money" in group.unknown


def test_untracked_conversions_are_none_with_a_reason() -> None:
    (group,) = groups_of([row("t", "EUR", spend_micros=1, conversions=None)])
    assert group.conversions is None
    assert group.unknown["conversions"].startswith("no conversions tracked")


def test_ranking_skips_unknown_figures() -> None:
    groups = groups_of(
        [
            row("a", "EUR", spend_micros=1, roas=2.0, cpa=5.0),
            row("b", "USD", spend_micros=1, roas=4.0, cpa=9.0),
            row("c", "EUR", spend_micros=1),
        ]
    )
    assert [g.key for g in ranked(groups, "roas", 10)] == ["b", "a"]
    assert [g.key for g in ranked(groups, "cpa", 1)] == ["a"]
    assert [g.key for g in ranked(groups, "conversions", 10)] == ["a", "b", "c"]


def test_funnel_drop_offs_and_rates() -> None:
    stages = funnel_stages(["page_view", "add_to_cart", "purchase"], [10, 4, 0])
    assert [s.drop_off for s in stages] == [None, 6, 4]
    assert stages[1].rate_from_previous == 0.4
    assert stages[2].rate_from_first == 0.0
    assert stages[0].unknown["drop_off"] == "the first stage"
    empty = funnel_stages(["page_view", "purchase"], [0, 0])
    assert empty[1].rate_from_previous is None
    assert empty[1].unknown["rate_from_previous"] == "no visitor reached the stage before"


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=2, max_size=5))
def test_funnel_drop_offs_add_up(counts: list[int]) -> None:
    ordered = sorted(counts, reverse=True)
    stages = funnel_stages([f"s{i}" for i in range(len(ordered))], ordered)
    assert sum(s.drop_off or 0 for s in stages) == ordered[0] - ordered[-1]


def test_the_range_is_required_ordered_and_bounded() -> None:
    with pytest.raises(ValidationError, match="from"):
        RangeQuery.model_validate({"to": "2026-11-01"})
    with pytest.raises(ValidationError, match="is before from"):
        RangeQuery.model_validate({"from": "2026-11-02", "to": "2026-11-01"})
    with pytest.raises(ValidationError, match=f"more than {MAX_RANGE_DAYS} days"):
        RangeQuery.model_validate({"from": "2025-01-01", "to": "2026-11-01"})
    with pytest.raises(ValidationError, match="model"):
        RangeQuery.model_validate({"from": "2026-11-01", "to": "2026-11-01", "model": "magic"})
    with pytest.raises(ValidationError, match="goal_ids"):
        FunnelQuery.model_validate({"from": "2026-11-01", "to": "2026-11-01", "goal_ids": "a"})


def test_a_forecast_needs_tracked_conversions_and_fills_quiet_days_with_zeros() -> None:
    start = date(2026, 11, 1)
    untracked = groups_of([row((start).isoformat(), "EUR", spend_micros=1, conversions=None)])
    none = conversions_forecast(untracked, start, start + timedelta(days=20), 7)
    assert none.days == []
    assert none.reason is not None
    assert none.reason.startswith("no conversions tracked")
    # Conversions on weekdays only; the weekend days have no row at all (zeros, not gaps).
    days = [start + timedelta(days=n) for n in range(28)]
    rows = [row(d.isoformat(), None, conversions=3.0) for d in days if d.weekday() < 5]
    made = conversions_forecast(groups_of(rows), days[0], days[-1], 7)
    assert made.history_days == 28
    assert [p.day for p in made.days] == [days[-1] + timedelta(days=n) for n in range(1, 8)]
    weekend = [p.predicted for p in made.days if p.day.weekday() >= 5]
    weekdays = [p.predicted for p in made.days if p.day.weekday() < 5]
    assert max(weekend) < min(weekdays)
