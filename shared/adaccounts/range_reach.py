"""Reach and frequency over a date range, from Meta's range report.

Reach counts unique people, so the reach of 28 days is not the sum of 28 daily reaches (the
same person seen on two days counts once): only Meta can de-duplicate it. After the daily
reports are loaded, the sync asks for one all_days row for the account and per campaign, ad set
and ad over the same range and stores it in reachops.ad_insights_range; any other range the KPI
table is asked for is read on request (shared/adaccounts/range_requests.py), at account and
campaign level. When Meta answers "too much data", the same rows are asked object by object one
level down (account -> campaigns -> ad sets), as the sync splits its reports. In the sync, any
other failure leaves the range without reach (the KPI reply says so), never the sync failed: the
daily figures are already stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from shared.adaccounts.models import AdAccount
from shared.paid import LEVELS
from shared.paid.rows import AdInsightRange, save_ranges
from shared.ports import (
    AdsPlatform,
    AdsRequestFailed,
    AdsTooMuchData,
    AdsUnavailable,
    Warehouse,
)

logger = logging.getLogger(__name__)
OBJECT_LEVELS = ("account", "campaign", "adset", "ad")
SYNC_LEVELS = ("account", *LEVELS)
"""The range rows a sync stores for its look-back range."""
REQUESTED_LEVELS = ("account", "campaign")
"""The range rows stored for a range the KPI table is asked for (what the table shows)."""
RangeConverter = Callable[..., AdInsightRange]
"""Meta's raw range row -> a typed range row (the composition root hands in the Meta adapter's
converter); raises ValueError for a row that cannot be stored."""


class RangeReach:
    def __init__(
        self,
        *,
        warehouse: Warehouse,
        convert: RangeConverter,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._warehouse = warehouse
        self._convert = convert
        self._now = now

    def sync(
        self,
        ads: AdsPlatform,
        org_id: str,
        account: AdAccount,
        token: str,
        window: tuple[date, date],
    ) -> int:
        """The sync's range rows (SYNC_LEVELS), upserted; returns the rows written, 0 when Meta
        failed them. Throttling and a refused token propagate (the sync waits or
        re-authenticates)."""
        try:
            return self.store(ads, org_id, account, token, window, levels=SYNC_LEVELS)
        except (AdsUnavailable, AdsRequestFailed, AdsTooMuchData) as failed:
            logger.warning("no range reach for %s %s..%s: %s", account.account_id, *window, failed)
            return 0

    def store(
        self,
        ads: AdsPlatform,
        org_id: str,
        account: AdAccount,
        token: str,
        window: tuple[date, date],
        *,
        levels: tuple[str, ...],
    ) -> int:
        """Read every level's range rows, then upsert them all at once (an idempotent MERGE:
        nothing partial is stored); returns the rows written. Every Meta error propagates."""
        synced_at = self._now()
        rows: list[AdInsightRange] = []
        top = f"act_{account.account_id}"
        for level in levels:
            for raw in self._rows(
                ads, token, top, object_level="account", level=level, window=window
            ):
                self._add(rows, raw, org_id=org_id, account=account, level=level, at=synced_at)
        save_ranges(self._warehouse, rows)
        return len(rows)

    def _rows(
        self,
        ads: AdsPlatform,
        token: str,
        object_id: str,
        *,
        object_level: str,
        level: str,
        window: tuple[date, date],
    ) -> list[dict[str, Any]]:
        """The range rows at `level` under one object; when Meta says it is too much data, the
        same rows asked object by object one level down (each entity's reach is its own, so
        the split changes no figure), down to the rows' own level."""
        since, until = window
        try:
            return list(ads.range_rows(token, object_id, level=level, since=since, until=until))
        except AdsTooMuchData:
            down = OBJECT_LEVELS.index(object_level) + 1
            if down > OBJECT_LEVELS.index(level):
                raise
            rows: list[dict[str, Any]] = []
            for child in ads.children(
                token, object_id, OBJECT_LEVELS[down], since=since, until=until
            ):
                rows += self._rows(
                    ads, token, child, object_level=OBJECT_LEVELS[down], level=level, window=window
                )
            return rows

    def _add(
        self,
        rows: list[AdInsightRange],
        raw: dict[str, Any],
        *,
        org_id: str,
        account: AdAccount,
        level: str,
        at: datetime,
    ) -> None:
        try:
            rows.append(
                self._convert(
                    raw,
                    org_id=org_id,
                    level=level,
                    synced_at=at,
                    account_id=account.account_id,
                    account_currency=account.currency,
                )
            )
        except ValueError as unusable:
            logger.warning("skipping a Meta range row of %s: %s", account.account_id, unusable)
