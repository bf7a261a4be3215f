"""The KPI table of an ad account: each platform campaign's totals over a date range, with its
CPM, CPC, CTR, CPA, ROAS, CPE as queries/paid_campaign_totals.sql computes them (the SQL
functions of bigquery_sql/functions/paid_kpis.sql; `kpis` only says why one is null), its
conversions under one attribution window, and its reach and frequency over the range from
Meta's range report.

The window is the request's `attribution_window`, else the account's default; the reply names
it and says what it means. A window Meta withdrew is refused (422, with the reason), and so is
one the account's syncs never ask Meta for, since no figure of it can exist. Reach over a range
is never a sum of daily reach: it is the range report stored for exactly that range (the sync's
look-back range, the default); for a range with none stored, Meta is asked for it
(`range_state`) and reach is None with the reason until a later call. The reply's `totals` is
the account's row, its reach from the account's own range row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Protocol

from pydantic import AfterValidator, BaseModel, Field, model_validator

from shared.auth import Permission, Principal
from shared.errors import ValidationFailed
from shared.model_base import QueryModel
from shared.paid.conversions import DEFAULT_WINDOW, checked_window, windows
from shared.paid.kpis import kpis_of, unknown_kpis
from shared.paid.range_state import (
    AccountTotals,
    RangeReachRequester,
    RangeReachState,
    RangeStatus,
    account_totals,
    missing_reason,
    range_state,
    stored_range,
)
from shared.ports import Warehouse

SQL = "queries/paid_campaign_totals.sql"


@dataclass(frozen=True)
class ReportingSettings:
    """What the table needs of an ad account (filled in by shared/adaccounts/reporting.py)."""

    attribution_windows: tuple[str, ...]
    default_window: str
    default_since: date
    default_until: date


class AccountLookup(Protocol):
    def reporting(self, org_id: str, account_id: str, now: datetime) -> ReportingSettings:
        """The account's settings; raises NotFound when there is no such account."""
        ...


class KpiQuery(QueryModel):
    since: date | None = None
    until: date | None = None
    attribution_window: Annotated[str, AfterValidator(checked_window())] | None = None

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
    from_level: str = Field(description="the level the figures were added up from")
    days: int
    spend_micros: int | None
    impressions: int | None
    reach: int | None = Field(description="unique people over the range (Meta range report)")
    frequency: float | None = Field(description="impressions per person over the range")
    clicks: int | None
    link_clicks: int | None
    conversions: float | None = Field(description="under the table's attribution_window")
    conversion_value_micros: int | None
    engagements: int | None
    reachops_campaign_id: str | None
    creator_id: str | None
    status: str | None = Field(description="the campaign's status as set (ACTIVE, PAUSED, ...)")
    effective_status: str | None = Field(
        description="what Meta makes of it now (e.g. ARCHIVED, DELETED, CAMPAIGN_PAUSED)"
    )
    objective: str | None
    daily_budget_micros: int | None
    lifetime_budget_micros: int | None
    bid_strategy: str | None
    kpis: dict[str, Any] = Field(description="cost KPIs in major units of currency")
    unknown: dict[str, str] = Field(description="why each null figure is null")


class KpiTable(BaseModel):
    account_id: str
    since: date
    until: date
    attribution_window: str = Field(description="the window every conversion figure is for")
    attribution_window_meaning: str
    items: list[KpiRow]
    totals: AccountTotals = Field(description="the account's row: reach from its range row")
    range_reach: RangeReachState = Field(
        description="whether Meta's range report for exactly since..until is stored or asked for"
    )


class KpiTables:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        accounts: AccountLookup,
        range_reach: RangeReachRequester | None = None,
    ) -> None:
        """Without `range_reach`, reach shows only for ranges already stored (none is asked)."""
        self._warehouse = warehouse
        self._accounts = accounts
        self._range_reach = range_reach

    def table(self, principal: Principal, account_id: str, query: KpiQuery) -> KpiTable:
        principal.require(Permission.READ)
        settings = self._accounts.reporting(principal.org_id, account_id, datetime.now(UTC))
        window = query.attribution_window or settings.default_window
        if window != DEFAULT_WINDOW and window not in settings.attribution_windows:
            raise ValidationFailed(
                f"this account's syncs do not ask Meta for {window} (they ask for "
                f"{', '.join(settings.attribution_windows)}); add it to its attribution_windows",
                field="query.attribution_window",
            )
        if query.since is None and query.until is None:
            since, until = settings.default_since, settings.default_until
        else:
            until = query.until or settings.default_until
            since = query.since or until - (settings.default_until - settings.default_since)
            if until < since:
                raise ValidationFailed("until is before since", field="query.since")
        params = {
            "org_id": principal.org_id,
            "account_id": account_id,
            "since": since,
            "until": until,
            "attribution_window": window,
        }
        # The range report may land while this call reads (its task stores the rows, then marks
        # the request READY): the stored range is read before the campaigns, so stored rows are
        # in the campaigns' reach too; READY from the request with none read yet reads both
        # again, so a "ready" table always carries the report's reach.
        stored = stored_range(self._warehouse, principal.org_id, account_id, since, until)
        rows = self._warehouse.run(SQL, params)
        key = (principal.org_id, account_id, since, until)
        state = range_state(stored, self._range_reach if rows else None, key)
        if state.status is RangeStatus.READY and int(stored["rows_stored"]) == 0:
            stored = stored_range(self._warehouse, principal.org_id, account_id, since, until)
            rows = self._warehouse.run(SQL, params)
            state = state.model_copy(update={"synced_at": stored["synced_at"]})
        items = [campaign_kpis(row, window, since, until) for row in rows]
        for item in items:
            if item.reach is None:
                reason = missing_reason(state, since, until, "this campaign")
                item.unknown["reach"] = item.unknown["frequency"] = reason
        return KpiTable(
            account_id=account_id,
            since=since,
            until=until,
            attribution_window=window,
            attribution_window_meaning=windows()[window],
            items=items,
            totals=account_totals(self._warehouse, items, stored, state, (since, until)),
            range_reach=state,
        )


def campaign_kpis(row: dict[str, Any], window: str, since: date, until: date) -> KpiRow:
    """One campaign's totals and KPIs as the query gives them (a conversion figure only where
    every row of the range has one), with the reason for each null."""
    unknown: dict[str, str] = {}
    covered, total = int(row["rows_with_window"]), int(row["rows_summed"])
    for name in ("conversions", "conversion_value_micros"):
        if row[name] is not None:
            continue
        if covered < total:
            unknown[name] = f"{window} figures exist for {covered} of {total} rows in the range"
        else:
            unknown[name] = f"no conversion event of the account was reported under {window}"
    if row["objective"] is None:
        unknown["objective"] = (
            "the campaign's settings have not been read yet (every sync reads them)"
        )
    if row["reach"] is None:
        reason = (
            f"no range report stored for {since}..{until} (reach over a range is never a sum "
            "of daily reach; a sync stores it for its look-back range)"
        )
        unknown["reach"] = unknown["frequency"] = reason
    unknown = unknown_kpis(row) | unknown  # a specific reason above says more
    kpis = {"currency": row["currency"], **kpis_of(row)}
    fields = set(KpiRow.model_fields) - {"kpis", "unknown"}
    return KpiRow(**{k: row[k] for k in fields}, kpis=kpis, unknown=unknown)
