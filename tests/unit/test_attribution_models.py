"""The attribution models on hand-checked paths, the Markov chain removal effect against values
computed by hand (the way ChannelAttribution defines it; the package itself is GPL and never a
dependency), and the invariant every model keeps: a conversion's credits sum to 1."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.attribution.markov import (
    CONVERSION,
    NULL,
    START,
    removal_effects,
    transition_counts,
)
from shared.attribution.paths import MODELS, credited, credits, windowed_paths

CHANNELS = ("creator", "paid_social", "organic_search", "email", "direct")


def touches(*paths: list[tuple[str, float]]) -> pd.DataFrame:
    """One conversion per path of (channel, days before the conversion) touches."""
    rows: list[dict[str, Any]] = []
    at = pd.Timestamp("2026-11-20T12:00:00Z")
    for number, path in enumerate(paths):
        base: dict[str, Any] = {
            "org_id": "o",
            "conversion_id": f"c{number}",
            "event_type": "purchase",
            "occurred_at": at,
            "value_micros": 10_000_000,
            "currency": "EUR",
        }
        if not path:
            rows.append(base | {"touch_kind": "none", "channel": "direct", "days_before": np.nan})
        for index, (channel, days) in enumerate(path):
            rows.append(
                base
                | {
                    "touch_kind": "session",
                    "site_id": "s",
                    "session_id": f"{number}-{index}",
                    "started_at": at - pd.Timedelta(days=days),
                    "channel": channel,
                    "campaign_id": f"camp-{channel}",
                    "days_before": days,
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("site_id", "session_id", "started_at", "campaign_id"):
        frame[column] = frame.get(column)
    frame["allocation_id"] = None
    frame["paid_campaign_id"] = None
    return frame


def credit_of(model: str, path: list[tuple[str, float]], **kwargs: Any) -> list[float]:
    paths = windowed_paths(touches(path), 30)
    return [round(float(c), 6) for c in credits(paths, model, **kwargs)]  # type: ignore[arg-type]


PATH = [("creator", 20.0), ("paid_social", 13.0), ("email", 6.0), ("direct", 0.5)]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("last_click", [0, 0, 0, 1]),
        ("first_click", [1, 0, 0, 0]),
        ("linear", [0.25, 0.25, 0.25, 0.25]),
        ("position_based", [0.4, 0.1, 0.1, 0.4]),
    ],
)
def test_rule_based_models_on_a_four_touch_path(model: str, expected: list[float]) -> None:
    assert credit_of(model, PATH) == expected


def test_time_decay_halves_a_touchs_weight_every_half_life() -> None:
    path = [("creator", 14.0), ("paid_social", 7.0), ("direct", 0.0)]
    # weights 1/4, 1/2, 1 of a total 7/4
    assert credit_of("time_decay", path) == [round(1 / 7, 6), round(2 / 7, 6), round(4 / 7, 6)]
    # a half-life of 14 days: weights 1/2, 1/sqrt(2), 1
    slow = credit_of("time_decay", path, half_life_days=14.0)
    total = 0.5 + 2**-0.5 + 1
    assert slow == [round(0.5 / total, 6), round(2**-0.5 / total, 6), round(1 / total, 6)]


def test_position_based_with_one_and_two_touches() -> None:
    assert credit_of("position_based", [("creator", 1.0)]) == [1.0]
    assert credit_of("position_based", [("creator", 2.0), ("direct", 1.0)]) == [0.5, 0.5]
    assert credit_of("position_based", [("a", 3.0), ("b", 2.0), ("c", 1.0)]) == [0.4, 0.2, 0.4]


def test_touches_outside_the_look_back_are_dropped_and_an_empty_path_is_direct() -> None:
    frame = touches([("email", 45.0), ("creator", 10.0)], [("email", 40.0)], [])
    paths = windowed_paths(frame, 30)
    assert paths[["conversion_id", "channel", "touch_count"]].values.tolist() == [
        ["c0", "creator", 1],
        ["c1", "direct", 1],
        ["c2", "direct", 1],
    ]
    longer = windowed_paths(frame, 60)
    assert longer.groupby("conversion_id")["touch_count"].first().tolist() == [2, 1, 1]


def test_credited_value_follows_the_credit() -> None:
    paths = windowed_paths(touches(PATH), 30)
    table = credited(paths, credits(paths, "position_based"), "channel").set_index("channel")
    assert table.loc["creator", "value_micros"] == pytest.approx(4_000_000)
    assert table["conversions"].sum() == pytest.approx(1.0)


def test_removal_effects_of_a_small_chain_computed_by_hand() -> None:
    # start->A 2, start->B 1, A->B 1, A->null 1, B->conv 2: P(conv) = 2/3*1/2 + 1/3 = 2/3.
    # Without A only start->B converts (1/3): effect 1/2. Without B nothing does: effect 1.
    counts = transition_counts([(["A", "B"], True), (["A"], False), (["B"], True)])
    assert counts == {
        (START, "A"): 2,
        (START, "B"): 1,
        ("A", "B"): 1,
        ("A", NULL): 1,
        ("B", CONVERSION): 2,
    }
    found = removal_effects(counts)
    assert found.conversion_probability == pytest.approx(2 / 3)
    assert found.effects == pytest.approx({"A": 0.5, "B": 1.0})
    assert found.shares == pytest.approx({"A": 1 / 3, "B": 2 / 3})


def test_removal_effects_with_loops_and_repeats_computed_by_hand() -> None:
    # x_A = x_A/3 + x_B/3, x_B = 1/2 + x_A/2, x_C = 1 -> x_A = 1/3, x_B = 2/3; P = 2/3.
    # Without A: (0 + 1/2 + 1)/3 = 1/2 -> 1/4; without B: 1/3 -> 1/2; without C: 1/3 -> 1/2.
    paths = [(["A", "A", "B"], True), (["B", "A"], False), (["C"], True)]
    found = removal_effects(transition_counts(paths))
    assert found.conversion_probability == pytest.approx(2 / 3)
    assert found.effects == pytest.approx({"A": 0.25, "B": 0.5, "C": 0.5})
    assert found.shares == pytest.approx({"A": 0.2, "B": 0.4, "C": 0.4})


def test_no_converting_journey_has_no_removal_effects_and_says_why() -> None:
    found = removal_effects(transition_counts([(["A"], False)]))
    assert (found.conversion_probability, found.effects, found.reason) == (
        None,
        {},
        "no converting journey in the period",
    )


def test_data_driven_spreads_each_conversion_by_its_channels_effects() -> None:
    paths = windowed_paths(touches([("A", 3.0), ("B", 2.0), ("A", 1.0)]), 30)
    shares = credits(paths, "data_driven", effects={"A": 0.25, "B": 0.5})
    assert shares.tolist() == pytest.approx([0.25, 0.5, 0.25])
    none = credits(paths, "data_driven", effects={})
    assert none.tolist() == pytest.approx([1 / 3] * 3)  # no effect known: equal shares


path_strategy = st.lists(
    st.tuples(st.sampled_from(CHANNELS), st.floats(min_value=0, max_value=29.9)),
    min_size=0,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(path_strategy, min_size=1, max_size=6),
    st.floats(min_value=0.5, max_value=90),
    st.dictionaries(st.sampled_from(CHANNELS), st.floats(min_value=0, max_value=1)),
)
def test_a_conversions_credits_sum_to_one_in_every_model(
    paths: list[list[tuple[str, float]]], half_life: float, effects: dict[str, float]
) -> None:
    windowed = windowed_paths(touches(*paths), 30)
    for model in MODELS:
        credit = credits(windowed, model, half_life, effects)
        assert (credit >= 0).all(), model
        sums = pd.Series(credit).groupby(windowed["conversion_id"].to_numpy()).sum()
        assert np.allclose(sums.to_numpy(), 1.0), model
        assert len(sums) == len(paths), model
