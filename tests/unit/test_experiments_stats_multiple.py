"""Multiple-testing correction per experiment across its variants x goal and secondary
metrics: the textbook definitions (checked against statsmodels), and their properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from shared.experiments.stats.multiple import adjust_p_values

p_lists = st.lists(st.floats(0, 1), min_size=1, max_size=12)


def holm_reference(p: list[float]) -> list[float]:
    """Holm's step-down, written as the textbook states it (one test at a time)."""
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def bh_reference(p: list[float]) -> list[float]:
    """Benjamini-Hochberg's step-up, one test at a time from the largest p."""
    order = sorted(range(len(p)), key=lambda i: p[i], reverse=True)
    adjusted, running = [0.0] * len(p), 1.0
    for position, i in enumerate(order):
        running = min(running, len(p) * p[i] / (len(p) - position))
        adjusted[i] = running
    return adjusted


def family(sizes: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"experiment_id": np.repeat([f"e{i}" for i in range(len(sizes))], sizes)})


def test_holm_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    adjusted = adjust_p_values(p, family([4]), np.ones(4, dtype=bool), "holm-bonferroni")
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, 0.06 (monotone)
    assert np.allclose(adjusted, [0.03, 0.06, 0.06, 0.02])


def test_benjamini_hochberg_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    adjusted = adjust_p_values(p, family([4]), np.ones(4, dtype=bool), "benjamini-hochberg")
    # sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.02, 0.04, 0.04
    assert np.allclose(adjusted, [0.02, 0.04, 0.04, 0.02])


def test_families_are_corrected_separately_and_outsiders_keep_their_p() -> None:
    p = np.array([0.01, 0.02, 0.01, 0.02, np.nan])
    inside = np.array([True, True, True, False, True])
    adjusted = adjust_p_values(p, family([2, 3]), inside, "holm-bonferroni")
    assert np.allclose(adjusted[:4], [0.02, 0.02, 0.01, 0.02])
    assert np.isnan(adjusted[4])


def test_statsmodels_agrees_on_a_fixed_case() -> None:
    p = np.array([0.001, 0.2, 0.013, 0.04, 0.5, 0.03])
    everyone = np.ones(6, dtype=bool)
    holm = adjust_p_values(p, family([6]), everyone, "holm-bonferroni")
    bh = adjust_p_values(p, family([6]), everyone, "benjamini-hochberg")
    assert np.allclose(holm, multipletests(p, method="holm")[1])
    assert np.allclose(bh, multipletests(p, method="fdr_bh")[1])


def test_no_correction_returns_the_raw_p_values() -> None:
    p = np.array([0.01, 0.04])
    assert np.array_equal(adjust_p_values(p, family([2]), np.ones(2, dtype=bool), "none"), p)


@settings(max_examples=80, deadline=None)
@given(st.lists(p_lists, min_size=1, max_size=5))
def test_matches_the_textbook_and_holm_dominates_bh(families: list[list[float]]) -> None:
    p = np.array([x for group in families for x in group])
    frame = family([len(group) for group in families])
    everyone = np.ones(len(p), dtype=bool)
    holm = adjust_p_values(p, frame, everyone, "holm-bonferroni")
    bh = adjust_p_values(p, frame, everyone, "benjamini-hochberg")
    start = 0
    for group in families:
        part = slice(start, start + len(group))
        assert np.allclose(holm[part], holm_reference(group))
        assert np.allclose(bh[part], bh_reference(group))
        order = np.argsort(p[part], kind="stable")
        assert np.all(np.diff(holm[part][order]) >= -1e-15)  # monotone in the raw p
        start += len(group)
    assert np.all(holm >= p - 1e-15)
    assert np.all(bh >= p - 1e-15)
    assert np.all(bh <= holm + 1e-15)
    assert np.all((holm <= 1) & (bh <= 1))
