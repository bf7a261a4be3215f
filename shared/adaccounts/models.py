"""Ad accounts connected from Meta (and other platforms' accounts whose data arrives by CSV or
a BigQuery source table), with their sync state, spend limits and reporting settings.

Reporting settings: `attribution_windows` are the windows each sync asks Meta for (each stored
under its own name); `default_attribution_window` is the one KPI replies use when a request
names none (`default`: Meta's figure under each ad set's attribution setting, Ads Manager's);
`conversion_events` and `value_events` are the events that count as conversions and as
conversion value (None: each campaign's objective decides). The vocabulary, and the windows
Meta withdrew, come from shared/paid/conversions.yaml.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, field_validator

from shared.model_base import ApiModel, PositiveMinorUnits, not_null
from shared.paid.conversions import checked_event, checked_window, window_problem

logger = logging.getLogger(__name__)
AttributionWindow = Annotated[str, AfterValidator(checked_window(allow_default=False))]
"""A window Meta offers (not `default`, which is Meta's `value`, always stored)."""
ReportingWindow = Annotated[str, AfterValidator(checked_window())]
ConversionEvent = Annotated[str, AfterValidator(checked_event)]
DEFAULT_ATTRIBUTION = ["7d_click", "1d_view"]
DEFAULT_LOOKBACK_DAYS = 28


class AccountStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"


class SyncStatus(StrEnum):
    NEVER = "never"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ConnectRequest(ApiModel):
    redirect_uri: Annotated[HttpUrl, Field(strict=False)] | None = None


class ConnectStart(BaseModel):
    authorize_url: str
    state: str
    expires_at: datetime


class AdAccountUpdate(ApiModel):
    parent_account_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    lookback_days: int | None = Field(default=None, ge=1, le=90)
    attribution_windows: list[AttributionWindow] | None = Field(default=None, min_length=1)
    default_attribution_window: ReportingWindow | None = None
    conversion_events: list[ConversionEvent] | None = Field(default=None, min_length=1)
    value_events: list[ConversionEvent] | None = Field(default=None, min_length=1)
    daily_spend_limit_micros: PositiveMinorUnits | None = None
    monthly_spend_limit_micros: PositiveMinorUnits | None = None

    _required = not_null("lookback_days", "attribution_windows", "default_attribution_window")


class AdAccount(BaseModel):
    model_config = ConfigDict(extra="ignore")

    account_id: str
    platform: str = "meta"
    name: str
    currency: str
    timezone: str | None = None
    business_id: str | None = None
    parent_account_id: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    attribution_windows: list[str] = Field(default_factory=lambda: list(DEFAULT_ATTRIBUTION))
    default_attribution_window: str = Field(
        default="default", description="the window KPI replies use when none is asked for"
    )
    conversion_events: list[str] | None = Field(
        default=None, description="events counted as conversions; null: the campaign objective's"
    )
    value_events: list[str] | None = Field(
        default=None, description="events whose value counts; null: the conversion events"
    )
    daily_spend_limit_micros: int | None = None
    monthly_spend_limit_micros: int | None = None
    sync_status: SyncStatus = SyncStatus.NEVER
    last_sync_started_at: datetime | None = None
    last_successful_sync_at: datetime | None = None
    last_error: str | None = None
    connection_id: str
    connection_kind: str | None = Field(default=None, description="USER (OAuth) or SYSTEM_USER")
    connection_expires_at: datetime | None = Field(
        default=None, description="when the connection's access expires; null: never or unknown"
    )
    connected_at: datetime
    connected_by: str

    @field_validator("attribution_windows")
    @classmethod
    def _offered_only(cls, stored: list[str]) -> list[str]:
        """An account saved before Meta withdrew a window must not make every sync fail: the
        withdrawn window is left out of its requests (and logged)."""
        offered = [w for w in stored if window_problem(w, allow_default=False) is None]
        if offered != stored:
            logger.warning("leaving out attribution windows Meta no longer offers: %s", stored)
        return offered or list(DEFAULT_ATTRIBUTION)


class AdAccountView(AdAccount):
    children: list[str] = Field(default_factory=list, description="client accounts under it")


class AdAccountList(BaseModel):
    items: list[AdAccountView]
