"""The KPI table of an ad account: each platform campaign's totals over a date range with its
CPM, CPC, CTR, CPA, ROAS, CPE (the same formulas as the paid_kpis_* views)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field, model_validator

from shared.adaccounts.service import AdAccountService
from shared.auth import Permission, Principal
from shared.model_base import QueryModel
from shared.paid.kpis import kpis_for
from shared.ports import Warehouse

SQL = "queries/paid_campaign_totals.sql"
DEFAULT_DAYS = 28


class KpiQuery(QueryModel):
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> KpiQuery:
        if self.since and self.until and self.until < self.since:
            raise ValueError("until is before since")
        return self


class KpiRow(BaseModel):
    platform: str
    campaign_id: str
    campaign_name: str | None
    currency: str
    days: int
    spend_micros: int | None
    impressions: int | None
    clicks: int | None
    link_clicks: int | None
    conversions: float | None
    conversion_value_micros: int | None
    engagements: int | None
    reachops_campaign_id: str | None
    creator_id: str | None
    kpis: dict[str, Any] = Field(description="cost KPIs in major units of currency")


class KpiTable(BaseModel):
    account_id: str
    since: date
    until: date
    items: list[KpiRow]


class KpiTables:
    def __init__(self, *, warehouse: Warehouse, accounts: AdAccountService) -> None:
        self._warehouse = warehouse
        self._accounts = accounts

    def table(self, principal: Principal, account_id: str, query: KpiQuery) -> KpiTable:
        principal.require(Permission.READ)
        self._accounts.load(principal.org_id, account_id)
        until = query.until or datetime.now(UTC).date()
        since = query.since or until - timedelta(days=DEFAULT_DAYS - 1)
        rows = self._warehouse.run(
            SQL,
            {"org_id": principal.org_id, "account_id": account_id, "since": since, "until": until},
        )
        items = [
            KpiRow(
                **{k: v for k, v in row.items() if k != "account_id"}, kpis=asdict(kpis_for(row))
            )
            for row in rows
        ]
        return KpiTable(account_id=account_id, since=since, until=until, items=items)
