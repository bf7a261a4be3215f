"""The campaign state machine and activation readiness, as pure functions.

draft -> active -> paused <-> active -> completed. Each action names the states it may start
from; anything else is a conflict (409), never a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.campaigns.models import Campaign, CampaignStatus
from shared.errors import InvalidTransition


class Action(StrEnum):
    ACTIVATE = "activate"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[CampaignStatus]
    to: CampaignStatus
    event_type: str


TRANSITIONS: dict[Action, Transition] = {
    Action.ACTIVATE: Transition(
        frozenset({CampaignStatus.DRAFT}), CampaignStatus.ACTIVE, "campaign.activated"
    ),
    Action.PAUSE: Transition(
        frozenset({CampaignStatus.ACTIVE}), CampaignStatus.PAUSED, "campaign.paused"
    ),
    Action.RESUME: Transition(
        frozenset({CampaignStatus.PAUSED}), CampaignStatus.ACTIVE, "campaign.resumed"
    ),
    Action.COMPLETE: Transition(
        frozenset({CampaignStatus.ACTIVE, CampaignStatus.PAUSED}),
        CampaignStatus.COMPLETED,
        "campaign.completed",
    ),
}

# Fields a person may still change once a campaign runs: what was promised to creators and
# the brand (platforms, currency, dates already started) stays fixed.
EDITABLE_FIELDS: dict[CampaignStatus, frozenset[str]] = {
    CampaignStatus.DRAFT: frozenset(
        {
            "name",
            "description",
            "budget",
            "currency",
            "goals",
            "target_audience",
            "platforms",
            "audience_size",
            "target_location",
            "start_date",
            "end_date",
            "timezone",
            "tracking_config",
            "creators_wanted",
        }
    ),
    CampaignStatus.ACTIVE: frozenset(
        {"name", "description", "budget", "end_date", "target_audience", "tracking_config"}
    ),
    CampaignStatus.PAUSED: frozenset(
        {"name", "description", "budget", "end_date", "target_audience", "tracking_config"}
    ),
    CampaignStatus.COMPLETED: frozenset(),
}


def transition(current: CampaignStatus, action: Action) -> Transition:
    rule = TRANSITIONS[action]
    if current not in rule.allowed_from:
        allowed = ", ".join(sorted(rule.allowed_from))
        raise InvalidTransition(
            f"cannot {action} a {current} campaign (only from: {allowed})", field="status"
        )
    return rule


@dataclass(frozen=True)
class FailedCheck:
    check: str
    field: str
    message: str


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day it is in the campaign's zone: start and end dates are days there, so
    "already past" must be judged there too (a Berlin campaign ending today is still running at
    23:30 UTC, a Kiritimati one is not)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def readiness_failures(campaign: Campaign, today: date) -> list[FailedCheck]:
    """Every reason the campaign cannot go live yet; empty when it is ready."""
    failures: list[FailedCheck] = []
    if campaign.start_date is None:
        failures.append(FailedCheck("dates", "start_date", "start_date is not set"))
    if campaign.end_date is None:
        failures.append(FailedCheck("dates", "end_date", "end_date is not set"))
    elif campaign.end_date < today:
        failures.append(
            FailedCheck("dates", "end_date", f"end_date {campaign.end_date} has passed")
        )
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        failures.append(FailedCheck("dates", "end_date", "end_date is before start_date"))
    if campaign.budget <= 0:
        failures.append(FailedCheck("budget", "budget", "budget must be above zero"))
    if not campaign.platforms:
        failures.append(FailedCheck("platforms", "platforms", "choose at least one platform"))
    if not campaign.tracking_config.identifies_posts():
        failures.append(
            FailedCheck(
                "tracking",
                "tracking_config",
                "set a required hashtag, a required mention or a tracking link pattern "
                "so campaign posts can be recognised",
            )
        )
    return failures
