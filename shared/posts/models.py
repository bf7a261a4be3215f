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
