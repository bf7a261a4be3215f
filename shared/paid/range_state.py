"""Range reach in the KPI table: whether Meta's range report for exactly the table's range is
stored, asked for, or cannot be had, and the account's totals row.

Reach over a range is never a sum of daily reach, and reach is never added across campaigns (a
person reached by two campaigns counts once): the account's reach comes from the account-level
row of the range report, like each campaign's from its own row. When no report is stored for
the range, the KPI table asks for one (`RangeReachRequester`, filled in on the ad accounts side)
and says so in every null's reason; a later call shows it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field

from shared.paid.kpis import kpis_of, unknown_kpis
from shared.ports import Warehouse

SQL = "queries/paid_account_range.sql"
KPIS_OF_TOTALS_SQL = "queries/paid_kpis_of_totals.sql"
SUMMED = (
    "spend_micros",
    "impressions",
    "clicks",
    "link_clicks",
    "conversions",
    "conversion_value_micros",
    "engagements",
)
"""The account totals' figures that are sums of the campaigns' (reach never is)."""


class RangeStatus(StrEnum):
    READY = "ready"  # the range report is stored
    PENDING = "pending"  # asked of Meta; a later call shows it
    FAILED = "failed"  # Meta failed it; asked again after a while
    REFUSED = "refused"  # not asked: outside what Meta keeps, in the future, or too many pending
    EMPTY = "empty"  # Meta answered, with no rows for the range


class RangeReachState(BaseModel):
    status: RangeStatus
    reason: str | None = Field(default=None, description="why reach is null, when it is")
    requested_at: datetime | None = None
    synced_at: datetime | None = Field(default=None, description="when the report was read")


class RangeReachRequester(Protocol):
    def request(self, org_id: str, account_id: str, since: date, until: date) -> RangeReachState:
        """Ask Meta for the range report of exactly since..until (once: a repeated call finds
        the request); never PENDING twice for more than a few ranges of one account."""
        ...


class AccountTotals(BaseModel):
    """The account's row: the campaigns' figures summed, reach from the account range row."""

    currency: str | None
    campaigns: int
    spend_micros: int | None
    impressions: int | None
    clicks: int | None
    link_clicks: int | None
    conversions: float | None
    conversion_value_micros: int | None
    engagements: int | None
    reach: int | None = Field(description="unique people over the range (Meta range report)")
    frequency: float | None = Field(description="Meta's impressions per person over the range")
    kpis: dict[str, Any] = Field(description="cost KPIs of the totals, in major units of currency")
    unknown: dict[str, str] = Field(description="why each null figure is null")


def stored_range(
    warehouse: Warehouse, org_id: str, account_id: str, since: date, until: date
) -> dict[str, Any]:
    """The stored range report of exactly since..until: rows_stored (any level), the account
    row's reach and frequency, synced_at."""
    params = {"org_id": org_id, "account_id": account_id, "since": since, "until": until}
    return warehouse.run(SQL, params)[0]


def range_state(
    stored: dict[str, Any],
    requester: RangeReachRequester | None,
    key: tuple[str, str, date, date],
) -> RangeReachState:
    """READY when any row of the range report is stored; else what asking for it gives."""
    if int(stored["rows_stored"]) > 0:
        return RangeReachState(status=RangeStatus.READY, synced_at=stored["synced_at"])
    org_id, account_id, since, until = key
    if requester is None:
        return RangeReachState(
            status=RangeStatus.REFUSED,
            reason=f"no range report stored for {since}..{until} (reach over a range is never "
            "a sum of daily reach; a sync stores it for its look-back range)",
        )
    return requester.request(org_id, account_id, since, until)


def missing_reason(state: RangeReachState, since: date, until: date, what: str) -> str:
    """Why `what` (a campaign, the account) has no reach under `state`."""
    if state.status is RangeStatus.READY:
        return f"Meta's range report for {since}..{until} has no row for {what}"
    return state.reason or f"no range report for {since}..{until}"


def account_totals(
    warehouse: Warehouse,
    items: list[Any],
    stored: dict[str, Any],
    state: RangeReachState,
    span: tuple[date, date],
) -> AccountTotals:
    """Sum the campaign rows (a figure unknown for one campaign is unknown for the account);
    the KPIs of the sums come from the SQL functions, as every paid KPI does."""
    since, until = span
    unknown: dict[str, str] = {}
    sums: dict[str, Any] = {}
    for name in SUMMED:
        values = [getattr(item, name) for item in items]
        missing = sum(value is None for value in values)
        sums[name] = None if missing else sum(values)
        if missing:
            unknown[name] = f"unknown for {missing} of {len(values)} campaigns"
    reach, frequency = stored["reach"], stored["frequency"]
    if reach is None:
        unknown["reach"] = unknown["frequency"] = missing_reason(state, since, until, "the account")
    figures = {**sums, "reach": reach, "frequency": frequency}
    computed = {**figures, **warehouse.run(KPIS_OF_TOTALS_SQL, figures)[0]}
    currencies = {item.currency for item in items}
    return AccountTotals(
        currency=currencies.pop() if len(currencies) == 1 else None,
        campaigns=len(items),
        reach=reach,
        frequency=computed["frequency"],
        kpis=kpis_of(computed),
        unknown=unknown_kpis(computed) | unknown,
        **sums,
    )
