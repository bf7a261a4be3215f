"""Campaign and allocation metrics as the API returns them: every figure that cannot be known
is null, and `unknown` says why."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.metrics.scoring import Rating
from shared.posts.models import CampaignPost


class Figures(BaseModel):
    posts_count: int = 0
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    engagement: int | None = Field(default=None, description="likes + comments + shares")
    engagement_complete: bool = False
    avg_engagement_rate: float | None = None
    spend_minor: int | None = None
    cost_per_engagement_minor: float | None = None
    cpm_minor: float | None = None
    currency: str | None = None
    emv_minor: int | None = None
    emv_currency: str | None = None
    emv_note: str | None = None
    computed_at: datetime | None = None
    unknown: dict[str, str] = Field(
        default_factory=dict, description="why each null figure is null"
    )


class Score(BaseModel):
    rating: Rating | None
    rating_reason: str | None
    strong_below: float
    underperforming_above: float
    creator_engagement_rate: float | None
    tier: str | None
    engagement_vs_tier_median: float | None
    tier_reason: str | None


class AllocationMetrics(Figures):
    campaign_id: str
    allocation_id: str
    creator_id: str
    platform: str
    status: str
    score: Score | None
    posts: list[CampaignPost]


class CampaignMetrics(Figures):
    campaign_id: str
    allocations: list[AllocationMetrics]
