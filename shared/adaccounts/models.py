"""Ad accounts connected from Meta (and other platforms' accounts whose data arrives by CSV or
a BigQuery source table), with their sync state and spend limits."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from shared.model_base import ApiModel

AttributionWindow = Annotated[
    str, Field(pattern=r"^(1d_view|7d_view|28d_view|1d_click|7d_click|28d_click|1d_ev)$")
]
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
    daily_spend_limit_micros: int | None = Field(default=None, gt=0)
    monthly_spend_limit_micros: int | None = Field(default=None, gt=0)


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
    daily_spend_limit_micros: int | None = None
    monthly_spend_limit_micros: int | None = None
    sync_status: SyncStatus = SyncStatus.NEVER
    last_sync_started_at: datetime | None = None
    last_successful_sync_at: datetime | None = None
    last_error: str | None = None
    connection_id: str
    connected_at: datetime
    connected_by: str


class AdAccountView(AdAccount):
    children: list[str] = Field(default_factory=list, description="client accounts under it")


class AdAccountList(BaseModel):
    items: list[AdAccountView]
