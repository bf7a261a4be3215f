"""A post's campaign-match state: what detection concluded, and what a person decided."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.model_base import ApiModel


class Decision(StrEnum):
    AUTO = "auto"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class PostMatch(BaseModel):
    """What detection concluded for one (post, campaign), and what a person decided.

    Membership (``is_campaign_content``) and compliance (``disclosed``) are separate: a
    campaign post that is not disclosed is one the agency must chase.
    """

    model_config = ConfigDict(extra="ignore")

    post_key: str
    campaign_id: str
    allocation_id: str
    creator_id: str
    platform: str
    platform_post_id: str
    confidence: float
    reasons: list[str]
    detected_as_campaign_content: bool
    decision: Decision
    decided_by: str | None = None
    is_campaign_content: bool
    disclosed: bool | None = Field(
        default=None,
        description="disclosed as paid content (a disclosure marker or the platform's "
        "paid-partnership label); null when the match predates disclosure checks",
    )
    disclosure_markers: list[str] = Field(
        default_factory=list,
        description="the disclosure markers found, and 'platform paid-partnership label'",
    )
    weak_disclosure_markers: list[str] = Field(
        default_factory=list,
        description="ambiguous markers found (#pr, #collab, ...) that do not disclose",
    )
    updated_at: datetime


class CampaignPost(BaseModel):
    """A post of an allocated creator as the API shows it, with its match for the campaign."""

    post_key: str
    platform: str
    platform_post_id: str
    url: str | None
    caption: str | None
    posted_at: datetime | None
    likes: int | None = Field(description="null when the platform hides it")
    comments: int | None
    shares: int | None
    views: int | None
    match: PostMatch


class CampaignPostList(BaseModel):
    items: list[CampaignPost]


class PostDecision(ApiModel):
    campaign_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
