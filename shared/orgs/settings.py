"""Organization settings: the Apify spend cap, CPE rating thresholds, EMV rates and how long
campaign posts are re-measured.

Money is integers of minor units (the cap is in micro-dollars, as Apify bills in USD).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from pydantic_extra_types.currency_code import ISO4217

from shared.auth import Permission, Principal
from shared.campaigns.models import Platform
from shared.model_base import MAX_MONEY, ApiModel, MinorUnits
from shared.ports import DocumentStore
from shared.scraping.actors import DEFAULT_COMMENTS_PER_POST
from shared.scraping.planning import DEFAULT_REFRESH_DAYS

Scope = Literal["default"] | Platform
Threshold = Annotated[float, Field(ge=0, le=MAX_MONEY)]


class CpeThresholdSettings(ApiModel):
    """Cost per engagement in major units: Strong below, Underperforming above."""

    strong_below: Threshold = 0.50
    underperforming_above: Threshold = 2.00

    @model_validator(mode="after")
    def _ordered(self) -> CpeThresholdSettings:
        if self.underperforming_above < self.strong_below:
            raise ValueError("underperforming_above must not be below strong_below")
        return self


class EmvRateSettings(ApiModel):
    currency: ISO4217
    cpm_views_minor: MinorUnits = Field(description="value of 1,000 views, minor units")
    value_per_engagement_minor: MinorUnits = Field(description="value of one engagement")


class OrgSettings(ApiModel):
    apify_daily_cap_usd_micros: MinorUnits | None = Field(
        default=None, description="daily Apify spend cap; jobs beyond it wait a day"
    )
    cpe_thresholds: dict[Scope, CpeThresholdSettings] = Field(default_factory=dict)
    emv_rates: dict[Scope, EmvRateSettings] = Field(default_factory=dict)
    post_refresh_days: int = Field(
        default=DEFAULT_REFRESH_DAYS,
        ge=1,
        le=90,
        description="days after posting that a campaign post is re-measured every 12 hours "
        "(and always until 7 days past the campaign's end date)",
    )
    comments_per_post: int = Field(
        default=DEFAULT_COMMENTS_PER_POST,
        ge=1,
        le=1000,
        description="comments read per campaign post by each 12-hourly comments run",
    )


def settings_path(org_id: str) -> str:
    return f"orgs/{org_id}/settings/current"


class SettingsService:
    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def raw(self, org_id: str) -> dict[str, Any]:
        return self._store.get(settings_path(org_id)) or {}

    def get(self, principal: Principal) -> OrgSettings:
        principal.require(Permission.READ)
        return OrgSettings.model_validate(self.raw(principal.org_id), strict=False)

    def replace(self, principal: Principal, settings: OrgSettings) -> OrgSettings:
        principal.require(Permission.MANAGE_SETTINGS)
        self._store.set(settings_path(principal.org_id), settings.model_dump(mode="json"))
        return settings
