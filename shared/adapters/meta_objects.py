"""Graph calls beside the insight reports: token inspection, object settings and breakdowns.

`MetaAds` delegates to these functions with its own per-token `FacebookAdsApi`, so they share
its retries, usage headers and error translation. The Graph API version lives here, read once
from the pinned SDK (`facebook_business.apiconfig`): a version written anywhere else would
drift from the SDK's request shapes when the pin moves.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.apiconfig import ads_api_config

from shared.ports import TokenInfo

GRAPH_API_VERSION: str = str(ads_api_config["API_VERSION"])
"""The Graph API version of every call and of the OAuth dialog URL."""

OBJECT_FIELDS = {
    "campaign": (
        "id", "name", "status", "effective_status", "objective", "daily_budget",
        "lifetime_budget", "bid_strategy", "updated_time",
    ),
    "adset": (
        "id", "name", "campaign_id", "status", "effective_status", "daily_budget",
        "lifetime_budget", "bid_strategy", "updated_time",
    ),
    "ad": (
        "id", "name", "campaign_id", "adset_id", "status", "effective_status",
        "creative{id,thumbnail_url}", "updated_time",
    ),
}  # fmt: skip
"""What each level carries (an ad set's objective is its campaign's; an ad has no budget)."""

BREAKDOWN_FIELDS = (
    "account_id", "account_currency", "campaign_id", "campaign_name", "adset_id",
    "adset_name", "ad_id", "ad_name", "date_start", "date_stop", "spend", "impressions",
    "reach", "clicks", "inline_link_clicks", "actions", "action_values",
)  # fmt: skip


def token_info(api: Any, token: str, app_token: str) -> TokenInfo:
    """GET /debug_token with the app's token: Meta's `data` as a TokenInfo."""
    body = api.call(
        "GET", ("debug_token",), params={"input_token": token, "access_token": app_token}
    ).json()
    data = body.get("data") or {}
    expires = int(data.get("expires_at") or 0)
    return TokenInfo(
        token_type=str(data.get("type") or "USER"),
        is_valid=bool(data.get("is_valid")),
        app_id=str(data["app_id"]) if data.get("app_id") else None,
        expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
        scopes=tuple(str(s) for s in data.get("scopes") or ()),
    )


def object_rows(
    api: Any, account_object_id: str, level: str, *, statuses: Sequence[str], page_size: int
) -> list[dict[str, Any]]:
    """Every object at `level` of the account with OBJECT_FIELDS, asking for every effective
    status in `statuses` (Meta lists only live objects otherwise)."""
    if level not in OBJECT_FIELDS:
        raise ValueError(f"level must be one of {sorted(OBJECT_FIELDS)}, not {level!r}")
    account = AdAccount(fbid=account_object_id, api=api)
    edge = {"campaign": account.get_campaigns, "adset": account.get_ad_sets, "ad": account.get_ads}
    params = {
        "limit": page_size,
        "filtering": [{"field": "effective_status", "operator": "IN", "value": list(statuses)}],
    }
    with warnings.catch_warnings():
        # The SDK's field check does not know Graph's field expansion (`creative{id,...}`).
        warnings.filterwarnings("ignore", message=r".* does not allow field creative\{")
        items = edge[level](fields=list(OBJECT_FIELDS[level]), params=params)
        return [item.export_all_data() for item in items]


def breakdown_insights(
    api: Any,
    account_object_id: str,
    *,
    level: str,
    breakdowns: Sequence[str],
    since: date,
    until: date,
    attribution_windows: Sequence[str],
    filtering: Sequence[Mapping[str, Any]],
    page_size: int,
) -> Iterator[dict[str, Any]]:
    """Daily rows at `level` split by `breakdowns`, read synchronously page by page;
    `filtering` keeps objects of every status in, and `value` follows each ad set's
    attribution setting, as for the daily reports."""
    params: dict[str, Any] = {
        "level": level,
        "breakdowns": list(breakdowns),
        "time_range": {"since": since.isoformat(), "until": until.isoformat()},
        "time_increment": "1",
        "action_attribution_windows": list(attribution_windows),
        "use_unified_attribution_setting": True,
        "filtering": list(filtering),
        "limit": page_size,
    }
    account = AdAccount(fbid=account_object_id, api=api)  # breakdown values come unasked
    for row in account.get_insights(fields=list(BREAKDOWN_FIELDS), params=params):
        yield row.export_all_data()
