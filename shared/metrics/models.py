"""Campaign and allocation metrics as the API returns them: every figure that cannot be known
is null, and `unknown` says why. Ratings are computed from the very row returned beside them
(shared/metrics/service.py), so a reply's figures and its ratings always agree."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.metrics.scoring import Rating
from shared.posts.models import CampaignPost


class EmvExcludedPost(BaseModel):
    platform: str
    post_id: str | None
    reason: str


class Figures(BaseModel):
    posts_count: int = 0
    reach: int | None = None
    views: int | None = None
    views_posts_reported: int = Field(
        default=0, description="campaign posts that report views: the posts CPM counts"
    )
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    engagement: int | None = Field(
        default=None,
        description="engagements: likes + comments + shares over the parts posts report (CPE)",
    )
    engagement_complete: bool = False
    avg_engagement_rate: float | None = Field(
        default=None,
        description="mean over campaign posts of (likes + comments) / followers, where known",
    )
    engagement_rate_posts: int = 0
    undisclosed_posts: int = Field(
        default=0, description="campaign posts checked and found without an ad disclosure"
    )
    disclosure_unchecked_posts: int = Field(
        default=0, description="campaign posts whose disclosure is not checked yet (unknown)"
    )
    spend_minor: int | None = None
    cost_per_engagement_minor: float | None = None
    cpm_minor: float | None = None
    cpm_note: str | None = Field(
        default=None, description="set when some campaign posts do not report views"
    )
    currency: str | None = None
    emv_minor: int | None = None
    emv_currency: str | None = None
    emv_note: str | None = None
    emv_posts_valued: int = 0
    emv_excluded: list[EmvExcludedPost] = Field(
        default_factory=list, description="campaign posts the EMV leaves out, and why"
    )
    computed_at: datetime | None = None
    unknown: dict[str, str] = Field(
        default_factory=dict, description="why each null figure is null"
    )


class CommunityTrend(BaseModel):
    """The creator's comment sentiment over the last 30 days against the 30 days before (UTC
    days, today included), across campaigns; a share is null when nothing in its window is
    scored, a change when either share is."""

    positive_share_30d: float | None
    positive_share_prev_30d: float | None
    positive_share_change: float | None
    negative_share_30d: float | None
    negative_share_prev_30d: float | None
    negative_share_change: float | None


class CommunityHealth(BaseModel):
    """How the audience answers a creator's campaign posts, from the sentiment of their
    comments (reachops.creator_community_health). Shares are over scored comments (a refused or
    pending one counts in none); every null figure's reason is in `unknown`."""

    comments: int = Field(description="comments of the campaign posts stored")
    scored: int = Field(description="those scored by the sentiment engine")
    positive_share: float | None = Field(description="positive / scored")
    negative_share: float | None = Field(description="negative / scored")
    mean_toxicity: float | None = Field(
        description="0..1, over the scored comments whose engine reports toxicity"
    )
    toxicity_scored: int = Field(description="the comments mean_toxicity is over")
    trend: CommunityTrend | None = Field(description="the creator's 30-day trend")
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
    score: Score
    posts: list[CampaignPost]
    tracking_sessions: int = Field(
        default=0, description="sessions that came through the allocation's tracking code"
    )
    conversions: float = Field(
        default=0,
        description="purchases and leads credited to the allocation (attribution_model)",
    )
    conversion_value_micros: float | None = Field(
        default=None, description="their credited value, in micros of the allocation currency"
    )
    ctr: float | None = Field(default=None, description="tracking_sessions / views")
    cost_per_acquisition_minor: float | None = Field(
        default=None, description="fee / conversions, in minor units of the allocation currency"
    )
    attribution_model: str = Field(
        default="last_click", description="the model whose credit `conversions` counts"
    )
    community_health: CommunityHealth | None = Field(
        default=None, description="the sentiment of the comments of the creator's campaign posts"
    )


class CampaignMetrics(Figures):
    campaign_id: str
    allocations: list[AllocationMetrics]
    community_health: CommunityHealth | None = Field(
        default=None, description="the sentiment of the comments of all its campaign posts"
    )
