"""Creator allocations: which creators a campaign works with, for what fee, and why.

All of a campaign's allocations live in one document, changed in a transaction, so matching
and decisions never over-allocate a campaign even when events and requests race.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from shared.allocations.tracking import tracking_code, tracking_query
from shared.campaigns.models import Platform


class AllocationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class Allocation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    allocation_id: str
    campaign_id: str
    creator_id: str
    platform: Platform
    username: str
    status: AllocationStatus
    fee: int = Field(description="agreed fee in minor units of the campaign currency")
    currency: str
    slot: int = Field(description="which share of the budget this allocation holds")
    rank: int
    reasons: list[str]
    followers: int | None
    engagement_rate: float | None
    verified: bool
    created_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None

    @computed_field(  # type: ignore[prop-decorator]
        description="the allocation's code: links with utm_content=<code> count as its visits"
    )
    @property
    def tracking_code(self) -> str:
        return tracking_code(self.campaign_id, self.allocation_id)

    @computed_field(  # type: ignore[prop-decorator]
        description="the query string the creator appends to the brand's link (UTM parameters)"
    )
    @property
    def tracking_query(self) -> str:
        return tracking_query(self.campaign_id, self.allocation_id)


class AllocationBook(BaseModel):
    """The stored document: every allocation of one campaign, including declined ones."""

    model_config = ConfigDict(extra="ignore")

    campaign_id: str
    allocations: list[Allocation] = Field(default_factory=list)

    def live(self) -> list[Allocation]:
        return [a for a in self.allocations if a.status is not AllocationStatus.DECLINED]

    def creator_ids(self) -> set[str]:
        return {a.creator_id for a in self.allocations}


class AllocationList(BaseModel):
    items: list[Allocation]
