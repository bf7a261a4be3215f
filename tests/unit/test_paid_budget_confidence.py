"""The confidence label: its rule, read from one table of thresholds, and the label that a
short flat history and a long varied one earn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from shared.paid.budget import THRESHOLDS, AllocatorSettings, recommend_allocation
from shared.paid.budget.confidence import ORDER, Evidence, label, weakest
from tests.unit.paid_channels import M, TrueChannel

STRONG = THRESHOLDS["strong"]
CLEAR = Evidence(
    days=STRONG.min_days,
    spend_cv=STRONG.min_spend_cv,
    relative_interval=STRONG.max_relative_interval,
    r2=STRONG.min_r2,
    extrapolating=False,
)


def test_meeting_every_strong_threshold_is_strong() -> None:
    assert label(CLEAR) == ("strong", ())


def test_one_missed_threshold_drops_a_label_and_says_why() -> None:
    short = replace(CLEAR, days=THRESHOLDS["moderate"].min_days)
    assert label(short) == ("moderate", ("28 days of history (strong needs 56)",))
    wide = replace(CLEAR, relative_interval=0.8)
    assert label(wide)[0] == "directional"
    assert label(wide)[1] == (
        "the interval is 80% of the expected goal (moderate needs at most 50%)",
    )


def test_no_interval_is_never_better_than_directional() -> None:
    result, reasons = label(replace(CLEAR, relative_interval=None))
    assert result == "directional"
    assert reasons == ("no interval for the expected goal (moderate needs one)",)


def test_extrapolating_is_directional_whatever_the_rest() -> None:
    assert label(replace(CLEAR, extrapolating=True)) == (
        "directional",
        ("the recommendation lies outside the daily spend this channel has had",),
    )


evidence = st.builds(
    Evidence,
    days=st.integers(0, 400),
    spend_cv=st.floats(0, 2),
    relative_interval=st.none() | st.floats(0, 5),
    r2=st.floats(-1, 1),
    extrapolating=st.booleans(),
)


@given(seen=evidence, more_days=st.integers(0, 100), more_cv=st.floats(0, 1))
def test_more_history_never_lowers_the_label(
    seen: Evidence, more_days: int, more_cv: float
) -> None:
    better = replace(seen, days=seen.days + more_days, spend_cv=seen.spend_cv + more_cv)
    assert ORDER.index(label(better)[0]) >= ORDER.index(label(seen)[0])


@given(labels=st.lists(st.sampled_from(ORDER), min_size=1))
def test_the_whole_advice_is_as_sure_as_its_weakest_channel(labels: list[str]) -> None:
    assert weakest(labels) == min(labels, key=ORDER.index)  # type: ignore[arg-type]


def test_the_label_goes_from_directional_to_strong_with_a_long_varied_history() -> None:
    chosen = AllocatorSettings(bootstrap_samples=30, seed=1)
    flat = TrueChannel("meta", top=100, k=250, s=1.0, theta=0.3, average=150, spread=(0.8, 1.2))
    varied = replace(flat, spread=(0.3, 1.9))
    short = recommend_allocation([flat.history(days=21, seed=4)], 150 * M, chosen)
    long = recommend_allocation([varied.history(days=120, seed=4, noise=0.02)], 150 * M, chosen)
    (short_channel,) = short.channels
    (long_channel,) = long.channels
    assert (short_channel.confidence, short.confidence) == ("directional", "directional")
    assert "21 days of history (moderate needs 28)" in short_channel.confidence_reasons
    assert not short_channel.extrapolating
    assert (long_channel.confidence, long.confidence) == ("strong", "strong")
    assert long_channel.confidence_reasons == ()


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def test_the_readme_states_the_thresholds_the_code_uses() -> None:
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    strong, moderate = THRESHOLDS["strong"], THRESHOLDS["moderate"]
    assert (
        f"`strong` needs ≥ {strong.min_days} days of history, daily spend varying by a "
        f"coefficient of variation ≥ {strong.min_spend_cv}, an interval of the expected goal at "
        f"most {percent(strong.max_relative_interval)} of it and R^2 ≥ {strong.min_r2}"
    ) in readme
    assert (
        f"`moderate` needs ≥ {moderate.min_days} days (four of each weekday), ≥ "
        f"{moderate.min_spend_cv}, at most {percent(moderate.max_relative_interval)} and R^2 ≥ "
        f"{moderate.min_r2}"
    ) in readme
