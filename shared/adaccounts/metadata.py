"""The current settings of an account's campaigns, ad sets and ads, kept in `ad_objects`.

KPIs without context mislead: a campaign whose cost per result jumped may simply have had its
budget doubled or its bid strategy changed, and a row of a deleted ad still counts. Each sync
re-reads every object Meta lists (asking for every effective status, so paused and archived
ones too) and replaces its row, so `paid_objects_current` is what Ads Manager shows today; an
object Meta stops listing (a deleted one) keeps its last row.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.adaccounts.models import AdAccount
from shared.metrics.definitions import currency_minor_units
from shared.paid import LEVELS, MICROS_PER_UNIT
from shared.ports import AdsPlatform, Warehouse

logger = logging.getLogger(__name__)

OBJECTS_TABLE = "ad_objects"
OBJECT_KEYS = ("org_id", "platform", "account_id", "level", "object_id")


def budget_micros(value: object, currency: str) -> int | None:
    """Meta's budget (an integer of the currency's minor units, as text) in micros; None for
    no budget (absent or 0) or a currency without a known minor unit."""
    if value in (None, ""):
        return None
    try:
        minor = int(str(value))
    except ValueError:
        return None
    exponent = currency_minor_units(currency)
    if minor <= 0 or exponent is None:
        return None
    micros: int = minor * MICROS_PER_UNIT // 10**exponent
    return micros


def _timestamp(value: object) -> datetime | None:
    """Graph's `2026-11-30T09:12:44+0000`."""
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def object_row(
    raw: Mapping[str, Any], *, level: str, org_id: str, account: AdAccount, synced_at: datetime
) -> dict[str, Any] | None:
    """One Graph object as an ad_objects row; None without an id."""
    if not raw.get("id"):
        return None
    creative = raw.get("creative") if isinstance(raw.get("creative"), Mapping) else {}
    text = {k: (str(raw[k]) if raw.get(k) not in (None, "") else None) for k in raw}
    return {
        "org_id": org_id,
        "platform": "meta",
        "account_id": account.account_id,
        "level": level,
        "object_id": str(raw["id"]),
        "name": text.get("name"),
        "campaign_id": text.get("campaign_id"),
        "adset_id": text.get("adset_id"),
        "status": text.get("status"),
        "effective_status": text.get("effective_status"),
        "objective": text.get("objective") if level == "campaign" else None,
        "currency": account.currency,
        "daily_budget_micros": budget_micros(raw.get("daily_budget"), account.currency),
        "lifetime_budget_micros": budget_micros(raw.get("lifetime_budget"), account.currency),
        "bid_strategy": text.get("bid_strategy"),
        "creative_id": str(creative["id"]) if creative and creative.get("id") else None,
        "creative_thumbnail_url": creative.get("thumbnail_url") if creative else None,
        "updated_time": _timestamp(raw.get("updated_time")),
        "synced_at": synced_at,
    }


class MetadataSync:
    def __init__(self, *, warehouse: Warehouse) -> None:
        self._warehouse = warehouse

    def sync(
        self, ads: AdsPlatform, org_id: str, account: AdAccount, token: str, synced_at: datetime
    ) -> int:
        """Read every campaign, ad set and ad, then replace their rows; returns the count."""
        rows = []
        for level in LEVELS:
            for raw in ads.objects(token, f"act_{account.account_id}", level):
                row = object_row(
                    raw, level=level, org_id=org_id, account=account, synced_at=synced_at
                )
                if row is not None:
                    rows.append(row)
        self._warehouse.merge_rows(OBJECTS_TABLE, rows, OBJECT_KEYS, update_existing=True)
        logger.info("read the settings of %d objects of %s", len(rows), account.account_id)
        return len(rows)
