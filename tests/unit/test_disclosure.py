"""Whether a campaign post is disclosed as paid content: markers, weak markers, the label."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest

from shared.detection import (
    PAID_LABEL,
    CampaignRule,
    Match,
    PostText,
    detect,
    detect_one,
    fold,
    load_disclosure_markers,
)

CREATOR = ("instagram", "trailqueen")


def rule(**changes: Any) -> CampaignRule:
    fields: dict[str, Any] = {
        "campaign_id": "c1",
        "required_hashtags": ["acmetrail"],
        "start_date": date(2026, 3, 1),
        "end_date": date(2026, 3, 31),
        "creator_keys": frozenset({CREATOR}),
    }
    return CampaignRule(**(fields | changes))


def score(caption: str, paid: bool | None = None, **changes: Any) -> Match:
    post = PostText(
        "p1",
        *CREATOR,
        caption=caption,
        is_paid_partnership=paid,
        posted_at=datetime(2026, 3, 10, tzinfo=UTC),
    )
    return detect_one(post, rule(**changes))


@pytest.mark.parametrize(
    ("caption", "marker"),
    [
        ("#AD", "#ad"),
        ("Danke! #Anzeige", "#anzeige"),
        ("#WERBUNG", "#werbung"),
        ("#sponsorise", "#sponsorisé"),
        ("#Publicidad", "#publicidad"),
        ("#pubblicita", "#pubblicità"),
        ("#gesponsord", "#gesponsord"),
        ("#reklama", "#reklama"),
        ("#reklam", "#reklam"),
        ("#광고", "#광고"),
        ("In bezahlter... nein: Bezahlte\n Partnerschaft mit Acme", "bezahlte partnerschaft"),
        ("Paid partnership", "paid partnership"),
        ("Partenariat rémunéré avec", "partenariat rémunéré"),
    ],
)
def test_disclosure_markers_are_recognised_in_several_languages(caption: str, marker: str) -> None:
    match = score(f"#acmetrail {caption}")

    assert (match.disclosed, match.disclosure_markers) == (True, (marker,))
    assert f"disclosure {marker}" in match.reasons
    assert match.confidence > score("#acmetrail").confidence


@pytest.mark.parametrize(
    ("caption", "marker"),
    [
        ("Anzeige | Mein neuer Rucksack", "anzeige"),
        ("WERBUNG: danke an das Team", "werbung"),
        ("This post is an advertisement.", "advertisement"),
        ("Paid partnership with Acme", "paid partnership"),
        ("(Unbezahlte Werbung)", "unbezahlte werbung"),
        ("Publicité — merci !", "publicité"),
    ],
)
def test_disclosure_words_count_as_plain_words_not_only_as_hashtags(
    caption: str, marker: str
) -> None:
    match = score(f"#acmetrail {caption}")

    assert (match.disclosed, match.disclosure_markers) == (True, (marker,))


def test_a_hashtag_marker_is_reported_once_as_the_hashtag() -> None:
    assert score("#Anzeige #acmetrail").disclosure_markers == ("#anzeige",)


def test_a_disclosure_word_inside_another_word_is_not_a_disclosure() -> None:
    match = score("unpaid partnerships #adventure #bad Werbungsfrei #acmetrail")

    assert (match.disclosed, match.disclosure_markers, match.weak_disclosure_markers) == (
        False,
        (),
        (),
    )


@pytest.mark.parametrize(
    ("caption", "weak"),
    [
        ("#PR package!", ("#pr",)),
        ("#collab with @acme", ("#collab",)),
        ("#pub #partenariat", ("#partenariat", "#pub")),
        ("#gifted", ("#gifted",)),
        ("In Kooperation mit Acme #kooperation", ("#kooperation", "in kooperation mit")),
        ("#samarbete", ("#samarbete",)),
    ],
)
def test_a_weak_marker_is_reported_but_is_no_disclosure_and_no_evidence(
    caption: str, weak: tuple[str, ...]
) -> None:
    match = score(f"#acmetrail {caption}")

    assert (match.disclosed, match.disclosure_markers, match.weak_disclosure_markers) == (
        False,
        (),
        weak,
    )
    assert match.confidence == score("#acmetrail").confidence
    assert not any("disclosure" in reason for reason in match.reasons)


def test_the_platforms_paid_partnership_label_is_a_disclosure() -> None:
    labelled = score("#acmetrail", paid=True)
    both = score("#acmetrail #ad", paid=True)

    assert (labelled.disclosed, labelled.disclosure_markers) == (True, (PAID_LABEL,))
    assert both.disclosure_markers == ("#ad", PAID_LABEL)
    assert not score("#acmetrail", paid=False).disclosed
    assert not score("#acmetrail", paid=None).disclosed


def test_an_undisclosed_campaign_post_is_campaign_content_without_disclosure() -> None:
    match = score("#acmetrail new trail shoes!")

    assert (match.is_campaign_content, match.disclosed) == (True, False)


def test_disclosure_is_the_posts_and_the_same_for_every_campaign() -> None:
    post = PostText("p1", *CREATOR, caption="#acmetrail Anzeige #pr")
    rules = [rule(), rule(campaign_id="c2", required_hashtags=["other"])]

    frame = detect([post], rules)

    assert frame["disclosed"].tolist() == [True, True]
    assert frame["disclosure_markers"].tolist() == [("anzeige",), ("anzeige",)]
    assert frame["weak_disclosure_markers"].tolist() == [("#pr",), ("#pr",)]
    assert frame["is_campaign_content"].tolist() == [True, False]


def test_every_disclosure_marker_has_a_language() -> None:
    markers = load_disclosure_markers()
    by_text = {marker.text: marker.language for marker in markers}

    assert all(marker.language for marker in markers)
    assert by_text["#anzeige"] == "de"
    assert by_text["#sponsorisé"] == "fr"
    assert by_text["bezahlte partnerschaft"] == "de"
    assert {"en", "de", "fr", "es", "it", "nl", "sv", "pl", "no"} <= set(by_text.values())


def test_no_marker_is_both_strong_and_weak_nor_listed_twice_in_one_language() -> None:
    markers = load_disclosure_markers()
    strength = {(fold(m.text), m.weak) for m in markers}

    assert not {text for text, weak in strength if weak} & {t for t, w in strength if not w}
    repeats = Counter((m.language, fold(m.text)) for m in markers)
    assert [key for key, count in repeats.items() if count > 1] == []


def test_ambiguous_tags_are_weak() -> None:
    weak = {m.text for m in load_disclosure_markers() if m.weak}

    assert {"#pr", "#pub", "#collab", "#partner", "#spon", "#gifted"} <= weak
    assert not {"#ad", "#anzeige", "#werbung", "advertisement"} & weak
