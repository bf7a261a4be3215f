"""Scoring (CPE ratings, tiers, tier medians, currency exponents) and earned media value."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.errors import ValidationFailed
from shared.metrics.definitions import currency_minor_units, tier_for
from shared.metrics.emv import (
    DEFAULT_EMV_RATES,
    EmvRates,
    ExcludedPost,
    PostCounts,
    campaign_emv,
    emv_rates_for,
    post_emv,
)
from shared.metrics.scoring import (
    CpeThresholds,
    Rating,
    assess_allocation,
    engagement_vs_tier_median,
    rate_allocation,
    thresholds_for,
)

ORDER = {Rating.STRONG: 0, Rating.AVERAGE: 1, Rating.UNDERPERFORMING: 2}
USD_RATES = {"currency": "USD", "cpm_views_minor": 1080, "value_per_engagement_minor": 5}


# --- CPE ratings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cpe_minor", "exponent", "expected"),
    [
        (49.99, 2, Rating.STRONG),
        (50.0, 2, Rating.AVERAGE),  # exactly 0.50: the lower bound is Average
        (200.0, 2, Rating.AVERAGE),  # exactly 2.00: the upper bound is Average
        (200.0001, 2, Rating.UNDERPERFORMING),
        (0.0, 2, Rating.STRONG),
        (0.49, 0, Rating.STRONG),  # JPY: minor units are yen
        (2.0, 0, Rating.AVERAGE),
        (150.0, 0, Rating.UNDERPERFORMING),
        (1999.0, 3, Rating.AVERAGE),  # KWD: 1.999 dinar
    ],
)
def test_rating_compares_major_units_exactly(
    cpe_minor: float, exponent: int, expected: Rating
) -> None:
    assert rate_allocation(cpe_minor, exponent, CpeThresholds()) == expected


def test_unknown_cost_or_currency_gives_no_rating_and_says_why() -> None:
    unknown_cost = assess_allocation(None, 2)
    assert unknown_cost.rating is None
    assert unknown_cost.reason == "cost per engagement unknown: no agreed fee or no engagement"
    unknown_currency = assess_allocation(12.0, None)
    assert (unknown_currency.rating, unknown_currency.reason) == (
        None,
        "currency has no ISO 4217 minor unit",
    )
    assert rate_allocation(None, 2) is None


def test_custom_thresholds_are_exact_at_their_bounds() -> None:
    thresholds = CpeThresholds(strong_below=0.3, underperforming_above=0.7)
    assert rate_allocation(30.0, 2, thresholds) == Rating.AVERAGE  # 0.3 * 100 is not 30.000...04
    assert rate_allocation(70.0, 2, thresholds) == Rating.AVERAGE
    assert rate_allocation(70.5, 2, thresholds) == Rating.UNDERPERFORMING


@given(
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.integers(min_value=0, max_value=4),
)
def test_a_higher_cost_never_rates_better(low: float, high: float, exponent: int) -> None:
    low, high = sorted((low, high))
    low_rating = rate_allocation(low, exponent)
    high_rating = rate_allocation(high, exponent)
    assert low_rating is not None
    assert high_rating is not None
    assert ORDER[low_rating] <= ORDER[high_rating]


# --- Thresholds per organization and platform --------------------------------------------------


def test_thresholds_default_when_the_org_sets_none() -> None:
    assert thresholds_for({}, "instagram") == CpeThresholds(0.50, 2.00)
    assert thresholds_for({"cpe_thresholds": None}, "tiktok") == CpeThresholds()


def test_platform_overrides_org_default_field_by_field() -> None:
    settings = {
        "cpe_thresholds": {
            "default": {"strong_below": 0.25, "underperforming_above": 1.5},
            "instagram": {"underperforming_above": 3},
        }
    }
    assert thresholds_for(settings, "instagram") == CpeThresholds(0.25, 3.0)
    assert thresholds_for(settings, "tiktok") == CpeThresholds(0.25, 1.5)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"cpe_thresholds": []}, "cpe_thresholds"),
        ({"cpe_thresholds": {"instagram": 1}}, "cpe_thresholds.instagram"),
        ({"cpe_thresholds": {"default": {"strong": 1}}}, "cpe_thresholds.default"),
        (
            {"cpe_thresholds": {"instagram": {"strong_below": -1}}},
            "cpe_thresholds.instagram.strong_below",
        ),
        (
            {"cpe_thresholds": {"instagram": {"strong_below": True}}},
            "cpe_thresholds.instagram.strong_below",
        ),
        (
            {"cpe_thresholds": {"instagram": {"strong_below": "0.5"}}},
            "cpe_thresholds.instagram.strong_below",
        ),
        ({"cpe_thresholds": {"default": {"strong_below": 5}}}, "cpe_thresholds.instagram"),
    ],
)
def test_invalid_thresholds_are_refused_naming_the_field(
    settings: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        thresholds_for(settings, "instagram")
    assert raised.value.field == field


# --- Tiers and the tier median -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (None, None),
        (0, None),
        (999, None),
        (1_000, "micro"),
        (9_999, "micro"),
        (10_000, "mid-tier"),
        (99_999, "mid-tier"),
        (100_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (500_000_000, "mega"),
    ],
)
def test_tier_bounds(followers: int | None, tier: str | None) -> None:
    assert tier_for(followers) == tier


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=10**10))
def test_more_followers_never_lower_the_tier(a: int, b: int) -> None:
    ranks = {None: 0, "micro": 1, "mid-tier": 2, "macro": 3, "mega": 4}
    low, high = sorted((a, b))
    assert ranks[tier_for(low)] <= ranks[tier_for(high)]


def test_ratio_to_the_tier_median() -> None:
    rates = [0.03, 0.02, 0.04, 0.01]
    assert engagement_vs_tier_median(0.03, rates) == pytest.approx(1.2)  # median 0.025
    assert engagement_vs_tier_median(0.04, [0.02, 0.04, 0.06]) == pytest.approx(1.0)


@pytest.mark.parametrize(("rate", "peers"), [(None, [0.02]), (0.02, []), (0.02, [0.0, 0.0, 0.1])])
def test_unknown_ratio_to_the_tier_median(rate: float | None, peers: list[float]) -> None:
    assert engagement_vs_tier_median(rate, peers) is None


@given(
    st.lists(st.floats(min_value=1e-6, max_value=1.0), min_size=1, max_size=50),
    st.floats(min_value=0.01, max_value=100),
)
def test_ratio_is_one_at_the_median_and_scales_with_the_rate(
    peers: list[float], factor: float
) -> None:
    median = statistics.median(peers)
    assert engagement_vs_tier_median(median, peers) == pytest.approx(1.0)
    assert engagement_vs_tier_median(median * factor, peers) == pytest.approx(factor)


# --- ISO 4217 minor units ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("USD", 2), ("usd", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("CLF", 4)],
)
def test_currency_minor_units(code: str, exponent: int) -> None:
    assert currency_minor_units(code) == exponent


@pytest.mark.parametrize("code", ["XAU", "XXX", "ZZZ", ""])
def test_currencies_without_minor_units_are_unknown(code: str) -> None:
    assert currency_minor_units(code) is None


# --- Earned media value ------------------------------------------------------------------------


def test_built_in_rates_value_views_only_and_say_so() -> None:
    rates = emv_rates_for({}, "instagram")
    assert rates == DEFAULT_EMV_RATES["instagram"]
    result = post_emv(PostCounts("instagram", 10_000, None), rates)
    assert (result.value_minor, result.currency) == (7_930, "USD")
    assert result.note is not None
    assert result.note.startswith("views only")


def test_a_platform_without_any_rates_has_no_emv() -> None:
    assert emv_rates_for({}, "twitch") is None
    result = post_emv(PostCounts("twitch", 1000, 10), emv_rates_for({}, "twitch"))
    assert (result.value_minor, result.reason) == (None, "no EMV rates set for twitch")


def test_post_emv_from_views_and_engagements() -> None:
    rates = emv_rates_for({"emv_rates": {"instagram": USD_RATES}}, "instagram")
    assert rates == EmvRates("USD", 1080, 5)
    result = post_emv(PostCounts("instagram", views=12345, engagements=100), rates)
    # 12,345 / 1,000 * 1,080 + 100 * 5 = 13,332.6 + 500, rounded half up.
    assert (result.value_minor, result.currency, result.reason) == (13833, "USD", None)


@pytest.mark.parametrize(
    ("post", "reason"),
    [
        (PostCounts("tiktok", None, 10, "p1"), "views not reported for tiktok post p1"),
        (PostCounts("tiktok", 10, None), "engagements not reported for a tiktok post"),
    ],
)
def test_unknown_counts_give_no_emv(post: PostCounts, reason: str) -> None:
    result = post_emv(post, EmvRates("USD", 500, 2))
    assert (result.value_minor, result.reason) == (None, reason)


def test_campaign_emv_rounds_once_and_uses_each_platforms_rates() -> None:
    settings = {
        "emv_rates": {
            "default": {"currency": "USD", "cpm_views_minor": 1, "value_per_engagement_minor": 0},
            "tiktok": {"cpm_views_minor": 700},
        }
    }
    posts = [PostCounts("instagram", 500, 3), PostCounts("instagram", 500, 0)]
    # 0.5 + 0.5 minor units: 1 when rounded once (rounding each post first would give 2).
    assert campaign_emv(posts, settings).value_minor == 1
    mixed = [PostCounts("instagram", 1000, 0), PostCounts("tiktok", 1000, 0)]
    assert campaign_emv(mixed, settings).value_minor == 1 + 700
    assert campaign_emv([], settings).reason == "no campaign posts"
    partial = campaign_emv([*mixed, PostCounts("youtube", None, 1, "y1")], settings)
    assert (partial.value_minor, partial.posts_valued) == (1 + 700, 2)
    assert partial.excluded == (
        ExcludedPost("youtube", "y1", "views not reported for youtube post y1"),
    )


def test_campaign_emv_is_unknown_only_when_no_post_can_be_valued() -> None:
    posts = [PostCounts("instagram", None, 3, "i1"), PostCounts("twitch", 100, 1, "t1")]
    result = campaign_emv(posts, {})
    assert (result.value_minor, result.reason) == (None, "no campaign post can be valued")
    assert [(e.post_id, e.reason) for e in result.excluded] == [
        ("i1", "views not reported for instagram post i1"),
        ("t1", "no EMV rates set for twitch"),
    ]


def test_campaign_emv_refuses_to_add_currencies() -> None:
    settings = {
        "emv_rates": {
            "instagram": USD_RATES,
            "tiktok": {**USD_RATES, "currency": "EUR"},
        }
    }
    posts = [PostCounts("instagram", 1000, 1), PostCounts("tiktok", 1000, 1)]
    result = campaign_emv(posts, settings)
    assert (result.value_minor, result.reason) == (
        None,
        "EMV rates use more than one currency: EUR, USD",
    )


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({**USD_RATES, "currency": "usd"}, "emv_rates.instagram.currency"),
        ({**USD_RATES, "currency": "XAU"}, "emv_rates.instagram.currency"),
        ({**USD_RATES, "cpm_views_minor": 10.8}, "emv_rates.instagram.cpm_views_minor"),
        (
            {**USD_RATES, "value_per_engagement_minor": -1},
            "emv_rates.instagram.value_per_engagement_minor",
        ),
        (
            {"currency": "USD", "cpm_views_minor": 1},
            "emv_rates.instagram.value_per_engagement_minor",
        ),
        ({**USD_RATES, "cpc": 1}, "emv_rates.instagram"),
    ],
)
def test_invalid_emv_rates_are_refused_naming_the_field(
    entry: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        emv_rates_for({"emv_rates": {"instagram": entry}}, "instagram")
    assert raised.value.field == field


@given(
    st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**7)), min_size=1, max_size=20),
    st.integers(0, 10**5),
    st.integers(0, 10**3),
)
def test_campaign_emv_is_the_rounded_sum_of_exact_post_values(
    counts: list[tuple[int, int]], cpm: int, per_engagement: int
) -> None:
    settings = {
        "emv_rates": {
            "instagram": {
                "currency": "USD",
                "cpm_views_minor": cpm,
                "value_per_engagement_minor": per_engagement,
            }
        }
    }
    posts = [PostCounts("instagram", views, engagements) for views, engagements in counts]
    exact_thousandths = sum(v * cpm + e * per_engagement * 1000 for v, e in counts)
    expected = (exact_thousandths + 500) // 1000
    assert campaign_emv(posts, settings).value_minor == expected
    if len(posts) == 1:
        assert post_emv(posts[0], emv_rates_for(settings, "instagram")).value_minor == expected
