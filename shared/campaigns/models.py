"""Campaign vocabulary and the shapes the API accepts and returns.

Budgets are integers of minor units (cents) in the campaign's ISO 4217 currency, never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_extra_types.country import CountryAlpha2
from pydantic_extra_types.currency_code import ISO4217
from pydantic_extra_types.language_code import LanguageAlpha2

from shared.detection.links import MAX_LINK_PATTERN_LENGTH, checked_link_pattern
from shared.detection.models import TimeZoneName
from shared.model_base import ApiModel, Name, PageLimit, PositiveMinorUnits, QueryModel, Text


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    FACEBOOK = "facebook"
    X = "x"
    TWITCH = "twitch"
    PINTEREST = "pinterest"
    SNAPCHAT = "snapchat"
    LINKEDIN = "linkedin"


class Goal(StrEnum):
    REACH = "reach"
    ENGAGEMENT = "engagement"
    VIEWS = "views"
    CLICKS = "clicks"
    CONVERSIONS = "conversions"
    SALES = "sales"
    FOLLOWERS = "followers"


class AudienceSize(StrEnum):
    """Creator tiers by followers: micro 1k-10k, mid-tier 10k-100k, macro 100k-1M, mega 1M+."""

    MICRO = "micro"
    MID_TIER = "mid-tier"
    MACRO = "macro"
    MEGA = "mega"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non-binary"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


_TAG = StringConstraints(
    strip_whitespace=True, min_length=1, max_length=100, pattern=r"^[#@]?[^\s#@]+$"
)
Hashtag = Annotated[str, _TAG, AfterValidator(lambda tag: tag.lstrip("#"))]
Mention = Annotated[str, _TAG, AfterValidator(lambda handle: handle.lstrip("@"))]
LinkPattern = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_LINK_PATTERN_LENGTH),
    AfterValidator(checked_link_pattern),
    Field(
        description="an RE2 regular expression (linear time: no backreferences or lookarounds), "
        "searched ignoring case in each caption"
    ),
]
Money = Annotated[PositiveMinorUnits, Field(description="minor units of the campaign currency")]


class TrackingConfig(ApiModel):
    """How campaign posts are recognised; tags are stored without their leading # or @."""

    required_hashtags: list[Hashtag] = Field(default_factory=list, max_length=30)
    optional_hashtags: list[Hashtag] = Field(default_factory=list, max_length=30)
    required_mentions: list[Mention] = Field(default_factory=list, max_length=30)
    tracking_link_pattern: LinkPattern | None = None
    min_match_confidence: float = Field(default=0.7, ge=0, le=1)

    def identifies_posts(self) -> bool:
        return bool(self.required_hashtags or self.required_mentions or self.tracking_link_pattern)


class TargetAudience(ApiModel):
    age_min: int | None = Field(default=None, ge=13, le=100)
    age_max: int | None = Field(default=None, ge=13, le=100)
    genders: list[Gender] = Field(default_factory=list, max_length=3)
    interests: list[Name] = Field(default_factory=list, max_length=50)
    languages: list[LanguageAlpha2] = Field(default_factory=list, max_length=20)

    @field_validator("age_max")
    @classmethod
    def _age_range(cls, age_max: int | None, info: ValidationInfo) -> int | None:
        age_min = info.data.get("age_min")
        if age_max is not None and age_min is not None and age_max < age_min:
            raise ValueError("age_max is below age_min")
        return age_max


class CampaignFields(ApiModel):
    """Everything a person sets on a campaign; the same rules hold at create and after a patch."""

    brand_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
    name: Name
    description: Text | None = None
    budget: Money
    currency: ISO4217
    goals: list[Goal] = Field(min_length=1, max_length=len(Goal))
    target_audience: TargetAudience | None = None
    platforms: list[Platform] = Field(default_factory=list, max_length=len(Platform))
    audience_size: AudienceSize | None = None
    target_location: CountryAlpha2 | None = None
    start_date: date | None = None
    end_date: date | None = None
    timezone: TimeZoneName = Field(
        default="UTC",
        description="IANA time zone in which start_date and end_date are calendar days",
    )
    tracking_config: TrackingConfig = Field(default_factory=TrackingConfig)
    creators_wanted: int = Field(
        default=1, ge=1, le=100, description="how many creators to allocate; the budget is split"
    )

    @field_validator("goals", "platforms")
    @classmethod
    def _no_repeats(cls, values: list[Any]) -> list[Any]:
        if len(set(values)) != len(values):
            raise ValueError("lists each value at most once")
        return values

    @field_validator("end_date")
    @classmethod
    def _ends_after_start(cls, end_date: date | None, info: ValidationInfo) -> date | None:
        start_date = info.data.get("start_date")
        if end_date is not None and start_date is not None and end_date < start_date:
            raise ValueError("end_date is before start_date")
        return end_date


class CampaignCreate(CampaignFields):
    pass


class CampaignUpdate(ApiModel):
    """A partial change: only the fields sent are touched; null clears an optional field."""

    name: Name | None = None
    description: Text | None = None
    budget: Money | None = None
    currency: ISO4217 | None = None
    goals: list[Goal] | None = None
    target_audience: TargetAudience | None = None
    platforms: list[Platform] | None = None
    audience_size: AudienceSize | None = None
    target_location: CountryAlpha2 | None = None
    start_date: date | None = None
    end_date: date | None = None
    timezone: TimeZoneName | None = None
    tracking_config: TrackingConfig | None = None
    creators_wanted: int | None = Field(default=None, ge=1, le=100)

    @model_validator(mode="after")
    def _something_to_change(self) -> CampaignUpdate:
        if not self.model_fields_set:
            raise ValueError("names no field to change")
        return self


class Campaign(CampaignFields):
    """A stored campaign as the API returns it (read back from storage, so types are parsed)."""

    model_config = ConfigDict(strict=False, extra="ignore")

    campaign_id: str
    status: CampaignStatus
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    activated_at: datetime | None = None
    completed_at: datetime | None = None


class CampaignListQuery(QueryModel):
    status: CampaignStatus | None = None
    brand_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    limit: PageLimit | None = None
    cursor: str | None = None


class ActivityEntry(BaseModel):
    """One line of a campaign's timeline: who did what, when."""

    event_id: str
    type: str
    actor: dict[str, Any]
    occurred_at: datetime
    summary: str
    data: dict[str, Any]


class ActivityQuery(QueryModel):
    limit: PageLimit | None = None
    cursor: str | None = None
