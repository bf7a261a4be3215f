"""Tracking link patterns under RE2: searched within one post only, batched exactly as one by
one, and never stalled by a pattern that would make a backtracking engine hang."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.detection import detect
from shared.detection.links import compile_link_pattern, link_found, texts_matching
from tests.unit.test_detection import post, rule, score


@pytest.mark.parametrize(
    ("pattern", "captions", "linked"),
    [
        (r"c\d\s+acme", ["code c1", "acme rocks"], [False, False]),  # c1 ends one, acme starts next
        (r"acme\s", ["go acme", "x"], [False, False]),  # the whitespace after acme is between posts
        (r"c\d\s+c\d", ["c1", "c2 c3"], [False, True]),  # a match across posts hides one inside
        (r"(?s)acme.+", ["acme", "acme!"], [False, True]),
    ],
)
def test_a_link_pattern_matches_within_one_post_only(
    pattern: str, captions: list[str], linked: list[bool]
) -> None:
    posts = [post(caption, post_key=f"p{n}") for n, caption in enumerate(captions)]

    frame = detect(posts, [rule(tracking_link_pattern=pattern)])

    assert ["tracking link matched" in reasons for reasons in frame["reasons"]] == linked


@given(
    st.lists(st.lists(st.sampled_from(["acme", "c1", " ", "\n", "x", "é", "/"])).map("".join)),
    st.sampled_from(
        [r"c\d\s+acme", r"acme\s", r"x\s+x", r"x\W*acme", r"[^/]+x", r"\bc1\b", r"x*", r"^x"]
    ),
)
def test_searching_captions_joined_finds_what_searching_each_finds(
    texts: list[str], source: str
) -> None:
    pattern = compile_link_pattern(source)

    found = texts_matching(pattern, texts).tolist()

    assert found == [link_found(pattern, text) for text in texts]


def test_the_tracking_link_matches_ignoring_case() -> None:
    assert "tracking link matched" in score("shop: HTTPS://ACME.CO/R/X1").reasons


@pytest.mark.parametrize(
    ("pattern", "caption"),
    [
        (r"(a+)+$", "a" * 100_000 + "!"),
        (r"(a|aa)*b", "a" * 100_000),
        (r"(\w+\s?)*!$", "word " * 20_000 + "?"),
        (r"(x+x+)+y", "x" * 100_000),
    ],
)
def test_a_catastrophic_pattern_runs_in_linear_time_on_a_pathological_caption(
    pattern: str, caption: str
) -> None:
    """Under Python's re each of these backtracks exponentially on such a caption (30 letters
    already take minutes); RE2 scans 100,000 in milliseconds, one post or a whole batch."""
    campaign = rule(tracking_link_pattern=pattern)
    posts = [post(caption, post_key=f"p{n}") for n in range(20)]

    started = time.perf_counter()
    one = score(caption, campaign)
    frame = detect(posts, [campaign])

    assert time.perf_counter() - started < 2
    assert frame["confidence"].tolist() == [one.confidence] * 20
