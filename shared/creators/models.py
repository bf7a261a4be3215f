"""Creators and their social profiles.

Followers and engagement rate exist twice per profile: *declared* (entered by people) and
*verified* (measured by scraping). The effective value is the verified one when present, else
the declared one. Engagement rate is a fraction: mean (likes + comments) / followers over the
creator's last 12 posts whose counts are known (see shared/scraping/engagement.py). Tiers come
from the one definition the warehouse also reads (shared/metrics/definitions.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_extra_types.country import CountryAlpha2

from shared.campaigns.models import AudienceSize, Platform
from shared.metrics.definitions import tier_for
from shared.model_base import ApiModel, Count, Name, PageLimit, QueryModel, not_null

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^@?[A-Za-z0-9._-]{1,64}$"),
    AfterValidator(lambda name: name.lstrip("@").lower()),
]
Niche = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=50),
]
Rate = Annotated[float, Field(ge=0, le=1, description="a fraction: 0.034 is 3.4%")]


class CreatorStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class SocialProfileInput(ApiModel):
    platform: Platform
    username: Username
    declared_followers: Count | None = None
    declared_engagement_rate: Rate | None = None


class SocialProfile(BaseModel):
    """A profile as stored and returned, with its verified numbers and effective values."""

    model_config = ConfigDict(extra="ignore")

    platform: Platform
    username: str
    declared_followers: int | None = None
    declared_engagement_rate: float | None = None
    verified_followers: int | None = None
    verified_engagement_rate: float | None = None
    verified_at: datetime | None = None

    @property
    def followers(self) -> int | None:
        return (
            self.verified_followers
            if self.verified_followers is not None
            else self.declared_followers
        )

    @property
    def engagement_rate(self) -> float | None:
        if self.verified_engagement_rate is not None:
            return self.verified_engagement_rate
        return self.declared_engagement_rate

    @property
    def verified(self) -> bool:
        return self.verified_followers is not None

    @property
    def tier(self) -> AudienceSize | None:
        return tier_for(self.followers)


def _one_profile_per_platform(profiles: list[SocialProfileInput]) -> list[SocialProfileInput]:
    platforms = [p.platform for p in profiles]
    if len(set(platforms)) != len(platforms):
        raise ValueError("lists each platform at most once")
    return profiles


class CreatorCreate(ApiModel):
    name: Name
    profiles: list[SocialProfileInput] = Field(min_length=1, max_length=len(Platform))
    niches: list[Niche] = Field(default_factory=list, max_length=20)
    location: CountryAlpha2 | None = None
    status: CreatorStatus = CreatorStatus.ACTIVE

    _profiles = field_validator("profiles")(_one_profile_per_platform)


class CreatorUpdate(ApiModel):
    """Fields sent replace the stored ones; `profiles` merges by platform (verified numbers are
    kept: only scraping changes them)."""

    name: Name | None = None
    profiles: list[SocialProfileInput] | None = Field(default=None, max_length=len(Platform))
    niches: list[Niche] | None = Field(default=None, max_length=20)
    location: CountryAlpha2 | None = None
    status: CreatorStatus | None = None

    _required = not_null("name", "profiles", "niches", "status")

    @field_validator("profiles")
    @classmethod
    def _unique(cls, profiles: list[SocialProfileInput] | None) -> list[SocialProfileInput] | None:
        return _one_profile_per_platform(profiles) if profiles is not None else None


class Creator(BaseModel):
    model_config = ConfigDict(extra="ignore")

    creator_id: str
    name: str
    profiles: list[SocialProfile]
    niches: list[str]
    location: str | None
    status: CreatorStatus
    created_at: datetime
    updated_at: datetime

    def profile(self, platform: Platform) -> SocialProfile | None:
        return next((p for p in self.profiles if p.platform == platform), None)


class ProfileView(BaseModel):
    """A profile in API replies: stored numbers plus the effective ones and the tier."""

    platform: Platform
    username: str
    declared_followers: int | None
    declared_engagement_rate: float | None
    verified_followers: int | None
    verified_engagement_rate: float | None
    verified_at: datetime | None
    followers: int | None
    engagement_rate: float | None
    verified: bool
    tier: AudienceSize | None

    @classmethod
    def of(cls, profile: SocialProfile) -> ProfileView:
        return cls(
            **profile.model_dump(),
            followers=profile.followers,
            engagement_rate=profile.engagement_rate,
            verified=profile.verified,
            tier=profile.tier,
        )


class CreatorView(BaseModel):
    creator_id: str
    name: str
    profiles: list[ProfileView]
    niches: list[str]
    location: str | None
    status: CreatorStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, creator: Creator) -> CreatorView:
        data = creator.model_dump(exclude={"profiles"})
        return cls(**data, profiles=[ProfileView.of(p) for p in creator.profiles])


class CreatorListQuery(QueryModel):
    platform: Platform | None = None
    tier: AudienceSize | None = None
    location: CountryAlpha2 | None = None
    niche: Niche | None = None
    status: CreatorStatus | None = None
    min_engagement_rate: Rate | None = None
    verified_only: bool = False
    limit: PageLimit | None = None
    cursor: str | None = None
