"""The campaign state machine and the activation readiness checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.campaigns.lifecycle import (
    TRANSITIONS,
    Action,
    local_today,
    readiness_failures,
    transition,
)
from shared.campaigns.models import Campaign, CampaignStatus
from shared.errors import InvalidTransition

TODAY = date(2026, 11, 21)

ALLOWED = {
    (CampaignStatus.DRAFT, Action.ACTIVATE): CampaignStatus.ACTIVE,
    (CampaignStatus.ACTIVE, Action.PAUSE): CampaignStatus.PAUSED,
    (CampaignStatus.PAUSED, Action.RESUME): CampaignStatus.ACTIVE,
    (CampaignStatus.ACTIVE, Action.COMPLETE): CampaignStatus.COMPLETED,
    (CampaignStatus.PAUSED, Action.COMPLETE): CampaignStatus.COMPLETED,
}


def campaign(**overrides: Any) -> Campaign:
    now = datetime(2026, 11, 21, tzinfo=UTC)
    fields: dict[str, Any] = {
        "brand_id": "b1",
        "name": "Launch",
        "budget": 100_000,
        "currency": "EUR",
        "goals": ["reach"],
        "platforms": ["instagram"],
        "start_date": TODAY,
        "end_date": TODAY + timedelta(days=7),
        "tracking_config": {"required_hashtags": ["launch"]},
        "campaign_id": "c1",
        "status": "draft",
        "version": 1,
        "created_at": now,
        "created_by": "k",
        "updated_at": now,
    }
    fields.update(overrides)
    return Campaign.model_validate(fields)


@given(st.sampled_from(list(CampaignStatus)), st.sampled_from(list(Action)))
def test_only_the_documented_transitions_are_allowed(
    status: CampaignStatus, action: Action
) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(InvalidTransition):
            transition(status, action)
    else:
        assert transition(status, action).to is expected


def test_every_transition_publishes_its_own_event() -> None:
    event_types = [rule.event_type for rule in TRANSITIONS.values()]
    assert sorted(event_types) == [
        "campaign.activated",
        "campaign.completed",
        "campaign.paused",
        "campaign.resumed",
    ]


def test_completed_is_final() -> None:
    for action in Action:
        with pytest.raises(InvalidTransition):
            transition(CampaignStatus.COMPLETED, action)


def test_a_complete_campaign_is_ready() -> None:
    assert readiness_failures(campaign(), TODAY) == []


def test_every_missing_piece_is_reported_at_once() -> None:
    incomplete = campaign(
        start_date=None,
        end_date=None,
        platforms=[],
        tracking_config={"optional_hashtags": ["spring"]},
    )
    failures = readiness_failures(incomplete, TODAY)
    assert [(f.check, f.field) for f in failures] == [
        ("dates", "start_date"),
        ("dates", "end_date"),
        ("platforms", "platforms"),
        ("tracking", "tracking_config"),
    ]


@pytest.mark.parametrize(
    "tracking",
    [
        {"required_hashtags": ["x"]},
        {"required_mentions": ["brand"]},
        {"tracking_link_pattern": r"acme\.com/\?ref=creator"},
    ],
)
def test_any_one_identifying_rule_is_enough(tracking: dict[str, Any]) -> None:
    assert readiness_failures(campaign(tracking_config=tracking), TODAY) == []


def test_a_campaign_that_already_ended_is_not_ready() -> None:
    ended = campaign(start_date=TODAY - timedelta(days=9), end_date=TODAY - timedelta(days=1))
    assert [f.field for f in readiness_failures(ended, TODAY)] == ["end_date"]


def test_a_campaign_that_started_in_the_past_but_runs_on_is_ready() -> None:
    assert readiness_failures(campaign(start_date=TODAY - timedelta(days=3)), TODAY) == []


def test_already_past_is_judged_in_the_campaigns_own_zone() -> None:
    """At 23:30 UTC on the 21st it is already the 22nd in Kiritimati (UTC+14) but still the
    21st in New York: a campaign ending on the 21st is over in one zone and running in the
    other."""
    late_evening_utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    ends_today = {"start_date": TODAY - timedelta(days=3), "end_date": TODAY}
    new_york = campaign(**ends_today, timezone="America/New_York")
    kiritimati = campaign(**ends_today, timezone="Pacific/Kiritimati")
    assert local_today(late_evening_utc, "America/New_York") == TODAY
    assert readiness_failures(new_york, local_today(late_evening_utc, new_york.timezone)) == []
    failures = readiness_failures(kiritimati, local_today(late_evening_utc, kiritimati.timezone))
    assert [f.field for f in failures] == ["end_date"]
