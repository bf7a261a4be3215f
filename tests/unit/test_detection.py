"""Which posts belong to which campaign: evidence, scoring, and batch-equals-one-by-one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.detection import (
    COLUMNS,
    W_DISCLOSURE,
    W_OPTIONAL_HASHTAG,
    W_PAID_PARTNERSHIP,
    W_REQUIRED_HASHTAGS,
    W_REQUIRED_MENTIONS,
    W_TRACKING_LINK,
    CampaignRule,
    Match,
    PostText,
    detect,
    detect_one,
)
from shared.detection.detector import NOT_ALLOCATED

CREATOR = ("instagram", "trailqueen")
IN_CAMPAIGN = datetime(2026, 3, 10, 12, tzinfo=UTC)


def rule(**changes: Any) -> CampaignRule:
    fields: dict[str, Any] = {
        "campaign_id": "c1",
        "required_hashtags": ["acmetrail"],
        "required_mentions": ["acmeoutdoor"],
        "optional_hashtags": ["hiking"],
        "tracking_link_pattern": r"acme\.co/r/\w+",
        "start_date": date(2026, 3, 1),
        "end_date": date(2026, 3, 31),
        "creator_keys": frozenset({CREATOR}),
    }
    return CampaignRule(**(fields | changes))


def post(caption: str | None = None, **changes: Any) -> PostText:
    fields: dict[str, Any] = {
        "post_key": "p1",
        "platform": CREATOR[0],
        "username": CREATOR[1],
        "caption": caption,
        "posted_at": IN_CAMPAIGN,
    }
    return PostText(**(fields | changes))


def score(
    caption: str | None = None, campaign: CampaignRule | None = None, **changes: Any
) -> Match:
    return detect_one(post(caption, **changes), campaign or rule())


def fullwidth(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) for char in text)


def math_bold(text: str) -> str:
    """Letters in MATHEMATICAL BOLD, as "fancy font" captions write them."""
    return "".join(
        chr(0x1D400 + ord(char) - ord("A"))
        if char.isupper()
        else chr(0x1D41A + ord(char) - ord("a"))
        for char in text
    )


# --- Batch and one-by-one agree -------------------------------------------------------------

CREATORS = [("instagram", "trailqueen"), ("tiktok", "Run.Fast"), ("instagram", "café_life")]
ALLOCATABLE = [*CREATORS, ("Instagram", "@TrailQueen"), ("youtube", "nobody")]
FRAGMENTS = [
    "#AcmeTrail!",
    "#acmetrail,",
    "🔥#ACMETRAIL🔥",
    "(@AcmeOutdoor).",
    "@acmeoutdoor",
    "mail@acmeoutdoor.com",
    "#hiking",
    "#Café",
    "#cafe\u0301",
    "#ad",
    "#Anzeige",
    "Werbung",
    "#pr",
    "#collab",
    "#sponsorisé",
    "Bezahlte  Partnerschaft",
    "paid\npartnership",
    "https://ACME.co/r/c1x",
    "acme.co/r/c2",
    "#glow#AcmeGlow",
    fullwidth("#acmeglow"),
    "hello world",
    "\x01",
    "\x00",
    "über",
    "c1",
    "acme",
    "x",
]
LINK_PATTERNS = [
    None,
    r"acme\.co/r/c\d",
    r"acme\.co/r/c1",
    r"c\d\s+acme",  # can run from one caption into the next when captions are searched joined
    r"(?s)world.*acme",
    r"^hello",
    r"acme\.co/r/c2$",
    r"x*",
]
DAYS = [
    None,
    IN_CAMPAIGN,
    datetime(2026, 2, 28, 23, 30, tzinfo=UTC),
    datetime(2026, 4, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),  # 31 March in UTC
    datetime(2026, 5, 1, 8, 0),  # naive: read as UTC
]

captions = st.none() | st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(" ".join)
posts_strategy = st.lists(
    st.tuples(
        st.sampled_from(CREATORS),
        captions,
        st.none() | st.lists(st.sampled_from(["AcmeTrail", "#hiking", "café", "ad", "x y"])),
        st.none() | st.lists(st.sampled_from(["AcmeOutdoor", "@acmeoutdoor", "friend"])),
        st.sampled_from([True, False, None]),
        st.sampled_from(DAYS),
    ),
    max_size=12,
)
rules_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "required_hashtags": st.lists(
                st.sampled_from(["acmetrail", "#AcmeGlow", "café"]), max_size=2
            ),
            "required_mentions": st.lists(
                st.sampled_from(["acmeoutdoor", "@Run.Fast"]), max_size=2
            ),
            "optional_hashtags": st.lists(
                st.sampled_from(["hiking", "Cafe", "acmetrail"]), max_size=2
            ),
            "tracking_link_pattern": st.sampled_from(LINK_PATTERNS),
            "start_date": st.sampled_from([None, date(2026, 3, 1)]),
            "end_date": st.sampled_from([None, date(2026, 3, 31)]),
            "timezone": st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles"]),
            "min_match_confidence": st.sampled_from([0.0, 0.5, 0.7, 1.0]),
            "creator_keys": st.frozensets(st.sampled_from(ALLOCATABLE), max_size=3),
        }
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(posts_strategy, rules_strategy)
def test_detect_agrees_with_detect_one_pair_by_pair(
    drawn_posts: list[tuple[Any, ...]], drawn_rules: list[dict[str, Any]]
) -> None:
    posts = [
        PostText(f"p{n}", platform, user, caption, tags, mentions, paid, day)
        for n, ((platform, user), caption, tags, mentions, paid, day) in enumerate(drawn_posts)
    ]
    rules = [CampaignRule(campaign_id=f"c{n}", **fields) for n, fields in enumerate(drawn_rules)]

    with patch("shared.detection.batch.CHUNK", 3):  # captions are tokenized 3 at a time
        frame = detect(posts, rules)

    expected = [
        (
            m.post_key,
            m.campaign_id,
            m.confidence,
            m.reasons,
            m.is_campaign_content,
            m.disclosed,
            m.disclosure_markers,
            m.weak_disclosure_markers,
        )
        for m in (detect_one(p, r) for p in posts for r in rules)
        if m.reasons != [NOT_ALLOCATED]
    ]
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.itertuples(index=False, name=None)) == expected
    assert frame["confidence"].between(0, 1).all()


def test_detect_on_nothing_gives_the_columns_and_no_rows() -> None:
    assert list(detect([], [rule()]).columns) == list(COLUMNS)
    assert detect([post("#acmetrail")], []).empty


# --- Matching text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    [
        "#acmetrail",
        "#AcmeTrail!",
        "(#ACMETRAIL)",
        "🔥#acmetrail🔥",
        "#acmetrail, and more",
        "love it#acmetrail",
        fullwidth("#AcmeTrail"),
        "#" + math_bold("AcmeTrail"),
    ],
)
def test_hashtags_match_whatever_case_width_punctuation_or_emoji_around_them(caption: str) -> None:
    assert "required hashtag #acmetrail" in score(caption).reasons


@pytest.mark.parametrize("caption", ["#Café", "#CAFE", "#cafe\u0301", "#cafe!"])
def test_accents_are_ignored_on_both_sides(caption: str) -> None:
    assert score(caption, rule(required_hashtags=["café"])).reasons[0] == "required hashtag #café"


@pytest.mark.parametrize("caption", ["(@AcmeOutdoor)", "@acmeoutdoor.", "thanks @ACMEOUTDOOR!"])
def test_mentions_match_whatever_case_or_punctuation_around_them(caption: str) -> None:
    assert "mentions @acmeoutdoor" in score(caption).reasons


def test_an_email_address_is_not_a_mention() -> None:
    assert "mentions @acmeoutdoor" not in score("write to hello@acmeoutdoor").reasons


def test_a_longer_tag_is_a_different_tag() -> None:
    assert score("#acmetrails #acmetrail_2").confidence == 0


def test_tags_count_from_the_scrapers_lists_too() -> None:
    match = score(None, hashtags=["#AcmeTrail"], mentions=["AcmeOutdoor"])

    assert match.reasons[:2] == ["required hashtag #acmetrail", "mentions @acmeoutdoor"]


# --- Scoring --------------------------------------------------------------------------------


def test_reasons_name_everything_that_matched_in_order() -> None:
    match = score(
        "🔥#AcmeTrail with (@acmeoutdoor) #hiking https://acme.co/r/c1 #Anzeige",
        is_paid_partnership=True,
    )

    assert match.reasons == [
        "required hashtag #acmetrail",
        "mentions @acmeoutdoor",
        "optional hashtag #hiking",
        "tracking link matched",
        "paid partnership flag",
        "disclosure #anzeige",
        "posted inside campaign dates",
    ]
    assert match.is_campaign_content


def test_required_tags_give_credit_in_proportion() -> None:
    campaign = rule(required_hashtags=["one", "two"], required_mentions=[], optional_hashtags=[])

    half, full = score("#one", campaign).confidence, score("#one #two", campaign).confidence

    assert (half, full) == (0.375, 0.75)


@pytest.mark.parametrize(
    ("caption", "confidence"),
    [("#acmetrail", 0.75), ("thanks @AcmeOutdoor", 0.75), ("https://acme.co/r/x", 0.8)],
)
def test_each_kind_of_identifying_evidence_alone_is_campaign_content(
    caption: str, confidence: float
) -> None:
    match = score(caption)

    assert (match.confidence, match.is_campaign_content) == (confidence, True)


def test_every_identifying_weight_reaches_the_default_threshold_alone() -> None:
    assert min(W_REQUIRED_HASHTAGS, W_REQUIRED_MENTIONS, W_TRACKING_LINK) >= 0.7


def test_part_of_the_required_tags_needs_more_evidence() -> None:
    campaign = rule(required_hashtags=["one", "two"])

    assert not score("#one", campaign).is_campaign_content
    assert not score("#one #ad", campaign).is_campaign_content
    assert score("#one #ad", campaign, is_paid_partnership=True).is_campaign_content
    assert score("#one @acmeoutdoor", campaign).is_campaign_content


def test_the_campaigns_own_threshold_decides() -> None:
    strict = rule(min_match_confidence=0.8)

    assert not score("#acmetrail", strict).is_campaign_content
    assert score("#acmetrail @acmeoutdoor", strict).is_campaign_content
    assert score("#hiking #ad", rule(min_match_confidence=0.3)).is_campaign_content


def test_a_tag_listed_twice_counts_once_and_required_wins_over_optional() -> None:
    campaign = rule(
        required_hashtags=["acmetrail", "#AcmeTrail"],
        required_mentions=[],
        optional_hashtags=["ACMETRAIL"],
    )

    match = score("#acmetrail", campaign)

    assert (match.confidence, match.reasons[:-1]) == (0.75, ["required hashtag #acmetrail"])


@given(
    st.lists(
        st.sampled_from(
            ["#hiking", "#ad", "#werbung", "Anzeige", "paid partnership", "#pr", "#collab", "#x"]
        )
    ),
    st.sampled_from([True, False, None]),
    st.sampled_from(DAYS),
)
def test_without_identifying_evidence_a_post_never_reaches_the_threshold(
    parts: list[str], paid: bool | None, day: datetime | None
) -> None:
    match = score(" ".join(parts), is_paid_partnership=paid, posted_at=day)

    assert match.confidence < 0.7
    assert not match.is_campaign_content


def test_the_weights_keep_flags_alone_below_the_default_threshold() -> None:
    best = 1 - (1 - W_OPTIONAL_HASHTAG) * (1 - W_PAID_PARTNERSHIP) * (1 - W_DISCLOSURE)
    assert best < 0.7


@given(st.lists(st.sampled_from(["#acmetrail", "@acmeoutdoor", "#hiking", "#ad", "acme.co/r/1"])))
def test_a_paid_flag_raises_confidence_and_a_missing_one_does_not_lower_it(
    parts: list[str],
) -> None:
    caption = " ".join(parts)
    unknown, absent, flagged = (score(caption, is_paid_partnership=v) for v in (None, False, True))

    assert unknown.confidence == absent.confidence <= flagged.confidence
    assert flagged.confidence > absent.confidence or absent.confidence == 1
    assert "paid partnership flag" in flagged.reasons
    assert "paid partnership flag" not in absent.reasons


def test_posting_outside_the_campaign_dates_lowers_confidence() -> None:
    caption = "#acmetrail @acmeoutdoor"
    inside = score(caption)
    outside = score(caption, posted_at=datetime(2026, 4, 2, tzinfo=UTC))

    assert outside.confidence == pytest.approx(inside.confidence * 0.2, abs=1e-4)
    assert outside.reasons[-1] == "posted outside campaign dates"
    assert not outside.is_campaign_content


def test_campaign_days_are_utc_days_by_default_and_both_ends_count() -> None:
    caption = "#acmetrail @acmeoutdoor"
    late_evening_in_utc = datetime(2026, 4, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))

    assert score(caption, posted_at=datetime(2026, 3, 31, 23, 59, tzinfo=UTC)).is_campaign_content
    assert score(caption, posted_at=late_evening_in_utc).is_campaign_content
    assert not score(caption, posted_at=datetime(2026, 2, 28, 23, 59)).is_campaign_content


@pytest.mark.parametrize(
    ("zone", "posted_at", "inside"),
    [
        # Berlin is UTC+1 in March until the 29th, then UTC+2 (summer time).
        ("Europe/Berlin", datetime(2026, 2, 28, 23, 30, tzinfo=UTC), True),  # 1 March, 00:30
        ("Europe/Berlin", datetime(2026, 2, 28, 22, 59, tzinfo=UTC), False),  # 28 Feb, 23:59
        ("Europe/Berlin", datetime(2026, 3, 31, 21, 59, tzinfo=UTC), True),  # 31 March, 23:59
        ("Europe/Berlin", datetime(2026, 3, 31, 22, 0, tzinfo=UTC), False),  # 1 April, 00:00
        ("America/Los_Angeles", datetime(2026, 3, 1, 7, 59, tzinfo=UTC), False),  # 28 Feb
        ("America/Los_Angeles", datetime(2026, 4, 1, 6, 59, tzinfo=UTC), True),  # 31 March
        ("America/Los_Angeles", datetime(2026, 4, 1, 6, 59), True),  # naive: read as UTC
    ],
)
def test_campaign_days_are_calendar_days_in_the_campaigns_time_zone(
    zone: str, posted_at: datetime, inside: bool
) -> None:
    campaign = rule(timezone=zone)

    match = score("#acmetrail", campaign, posted_at=posted_at)

    assert match.is_campaign_content is inside
    assert campaign.posted_inside(posted_at) is inside
    assert detect([post("#acmetrail", posted_at=posted_at)], [campaign])["confidence"][0] == (
        match.confidence
    )


def test_an_unknown_posting_date_changes_nothing_but_is_said() -> None:
    caption = "#acmetrail @acmeoutdoor"
    unknown = score(caption, posted_at=None)

    assert unknown.confidence == score(caption).confidence
    assert unknown.reasons[-1] == "posting date unknown"


def test_a_post_is_only_checked_against_campaigns_its_creator_is_allocated_to() -> None:
    other = post("#acmetrail @acmeoutdoor https://acme.co/r/1", post_key="p2", username="someone")
    mine = post("#acmetrail", post_key="p1", username="@TrailQueen", platform="Instagram")

    frame = detect([other, mine], [rule(), rule(campaign_id="c2", creator_keys=frozenset())])

    assert frame[["post_key", "campaign_id"]].values.tolist() == [["p1", "c1"]]
    assert detect_one(other, rule()) == Match("p2", "c1", 0.0, [NOT_ALLOCATED], False)


# --- Rules ----------------------------------------------------------------------------------


def test_rule_tags_are_stored_without_their_prefix() -> None:
    campaign = rule(required_hashtags=["#AcmeTrail"], required_mentions=["@acme"])

    assert (campaign.required_hashtags, campaign.required_mentions) == (("AcmeTrail",), ("acme",))


@pytest.mark.parametrize(
    "changes",
    [
        {"tracking_link_pattern": "acme(["},
        {"tracking_link_pattern": r"(acme)\1"},  # a backreference
        {"tracking_link_pattern": r"acme(?!\.com)"},  # a lookahead
        {"tracking_link_pattern": r"(?<=go/)acme"},  # a lookbehind
        {"tracking_link_pattern": "a" * 501},
        {"start_date": date(2026, 3, 2), "end_date": date(2026, 3, 1)},
        {"min_match_confidence": 1.5},
        {"required_hashtags": ["#"]},
        {"timezone": "Mars/Olympus_Mons"},
        {"timezone": "europe/berlin"},
    ],
)
def test_a_broken_rule_is_rejected(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        rule(**changes)
