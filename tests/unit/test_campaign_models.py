"""What a campaign body must look like, and how its parts are normalised."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.campaigns.models import CampaignCreate, CampaignUpdate, TrackingConfig
from shared.model_base import to_document

VALID: dict[str, Any] = {
    "brand_id": "b1",
    "name": "Launch",
    "budget": 100_000,
    "currency": "eur",
    "goals": ["reach"],
}


def errors_for(body: dict[str, Any], model: type[Any] = CampaignCreate) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate_json(json.dumps(body))
    return [".".join(str(p) for p in e["loc"]) for e in caught.value.errors()]


def test_currency_is_upper_cased_and_budget_kept_in_minor_units() -> None:
    created = CampaignCreate.model_validate_json(json.dumps(VALID))
    assert created.currency == "EUR"
    assert created.budget == 100_000


@given(st.integers(max_value=0))
def test_budget_must_be_above_zero(budget: int) -> None:
    assert errors_for({**VALID, "budget": budget}) == ["budget"]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_budget_is_never_a_float(budget: float) -> None:
    assert errors_for({**VALID, "budget": budget}) == ["budget"]


def test_end_before_start_names_end_date() -> None:
    body = {**VALID, "start_date": "2026-12-10", "end_date": "2026-12-01"}
    assert errors_for(body) == ["end_date"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("#Spring", "Spring"), ("spring", "spring"), ("  #café ", "café")],
)
def test_hashtags_are_stored_without_their_hash(raw: str, stored: str) -> None:
    assert TrackingConfig(required_hashtags=[raw]).required_hashtags == [stored]


def test_mentions_are_stored_without_their_at() -> None:
    assert TrackingConfig(required_mentions=["@acme"]).required_mentions == ["acme"]


def test_confidence_defaults_to_point_seven() -> None:
    assert TrackingConfig().min_match_confidence == 0.7


def test_patch_must_name_something() -> None:
    assert errors_for({}, CampaignUpdate) == [""]


def test_patch_rejects_fields_that_never_change_through_patch() -> None:
    assert errors_for({"brand_id": "other"}, CampaignUpdate) == ["brand_id"]
    assert errors_for({"status": "active"}, CampaignUpdate) == ["status"]


def test_documents_store_dates_as_iso_text_and_enums_as_values() -> None:
    created = CampaignCreate.model_validate(
        {**VALID, "platforms": ["tiktok"], "start_date": date(2026, 12, 1)}, strict=False
    )
    document = to_document(created)
    assert document["start_date"] == "2026-12-01"
    assert document["platforms"] == ["tiktok"]
    assert type(document["platforms"][0]) is str


def test_the_time_zone_defaults_to_utc_and_takes_iana_names() -> None:
    assert CampaignCreate.model_validate_json(json.dumps(VALID)).timezone == "UTC"
    berlin = CampaignCreate.model_validate_json(json.dumps({**VALID, "timezone": "Europe/Berlin"}))
    assert berlin.timezone == "Europe/Berlin"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "CET+1", "europe/berlin", "", "../etc"])
def test_an_unknown_time_zone_names_timezone(zone: str) -> None:
    assert errors_for({**VALID, "timezone": zone}) == ["timezone"]
    assert errors_for({"timezone": zone}, CampaignUpdate) == ["timezone"]


@pytest.mark.parametrize(
    "pattern",
    [
        r"(acme)\1",  # a backreference
        r"^(\w+\s?)*\1$",  # catastrophic backtracking in Python's re, and a backreference
        r"^(?=(a+)+$)\w*$",  # catastrophic inside a lookahead
        r"acme(?=\.co)",  # a lookahead
        r"(?<!not)acme",  # a lookbehind
        r"acme\Z",  # Python-only syntax
        r"(a{1000}){1000}",  # a repetition RE2 will not build
        "acme([",
    ],
)
def test_a_link_pattern_re2_cannot_run_in_linear_time_names_the_pattern(pattern: str) -> None:
    body = {**VALID, "tracking_config": {"tracking_link_pattern": pattern}}

    assert errors_for(body) == ["tracking_config.tracking_link_pattern"]


def test_a_link_pattern_error_says_why() -> None:
    with pytest.raises(ValidationError) as caught:
        TrackingConfig(tracking_link_pattern=r"(acme)\1")
    assert "RE2" in str(caught.value)
    assert "backreferences and lookarounds" in str(caught.value)


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"acme\.co/r/\w+", r"(?i)ACME\.CO/[a-z0-9]{4,12}"])
def test_a_pattern_re2_runs_in_linear_time_is_accepted_even_if_re_would_backtrack(
    pattern: str,
) -> None:
    assert TrackingConfig(tracking_link_pattern=pattern).tracking_link_pattern == pattern


def test_a_link_pattern_is_bounded_in_length() -> None:
    body = {**VALID, "tracking_config": {"tracking_link_pattern": "a" * 501}}

    assert errors_for(body) == ["tracking_config.tracking_link_pattern"]
