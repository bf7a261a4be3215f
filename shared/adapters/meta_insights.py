"""Meta Graph API insights rows as ReachOps' typed paid rows (shared/paid/rows.py).

It lives beside the Meta adapter (meta_ads.py) because it reads Meta's wire format: numbers as
decimal strings, and action lists of {"action_type", "value", "<window>": ...} where `value` is
the figure under each ad set's attribution setting (the report asks for
use_unified_attribution_setting: Ads Manager's figure; a campaign's is the sum of its ad sets')
and each requested window has its own key.

* A daily row (time_increment=1) becomes an `AdInsightRow`: its conversions are the `default`
  window's (from `value`), and each requested window's conversions come from that window's own
  key (`WindowConversions`), never from `value`.
* Which action types are conversions is the account's choice of events, else the campaign
  objective's (shared/paid/conversions.py); aliases of one event count once.
* A range row (time_increment=all_days) becomes an `AdInsightRange`, whose reach and frequency
  Meta de-duplicated over the whole range.

A figure Meta did not report stays None, never 0; `convert_meta_insight` says why for each None
and gives a rejection reason instead of an exception for a row without its identity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from shared.paid import LEVELS, MICROS_PER_UNIT
from shared.paid.conversions import (
    DEFAULT_WINDOW,
    all_action_types,
    count_events,
    events_for_objective,
)
from shared.paid.rows import AdInsightRange, AdInsightRow, WindowConversions

DEFAULT_REQUESTED_WINDOWS = ("7d_click", "1d_view")
_NAME = {
    "account": "account_name",
    "campaign": "campaign_name",
    "adset": "adset_name",
    "ad": "ad_name",
}
ACCOUNT_RANGE_CAMPAIGN = ""
"""The campaign_id of an account-level range row (the column is NOT NULL; no campaign owns it)."""
_VIDEO = {
    "video_p25": "video_p25_watched_actions",
    "video_p50": "video_p50_watched_actions",
    "video_p75": "video_p75_watched_actions",
    "video_p100": "video_p100_watched_actions",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class UnusableMetaRow(ValueError):
    """A Meta insights row that cannot become a paid row (the message says why)."""


@dataclass(frozen=True)
class MetaRow:
    """The typed row, or None and why the Meta row cannot be stored (`rejected`). `unknown`
    maps each None figure (column, or `<window>.conversions`) to the reason."""

    row: AdInsightRow | None
    unknown: Mapping[str, str] = field(default_factory=dict)
    rejected: str | None = None


def meta_insight_row(
    raw: Mapping[str, Any],
    *,
    org_id: str,
    level: str,
    synced_at: datetime,
    account_id: str | None = None,
    account_currency: str | None = None,
    attribution_windows: Sequence[str] | None = None,
    conversion_events: Sequence[str] | None = None,
    value_events: Sequence[str] | None = None,
    reachops_campaign_id: str | None = None,
    creator_id: str | None = None,
) -> AdInsightRow:
    """`convert_meta_insight` (same arguments), raising UnusableMetaRow instead of rejecting."""
    converted = convert_meta_insight(
        raw,
        org_id=org_id,
        level=level,
        synced_at=synced_at,
        account_id=account_id,
        account_currency=account_currency,
        attribution_windows=attribution_windows,
        conversion_events=conversion_events,
        value_events=value_events,
        reachops_campaign_id=reachops_campaign_id,
        creator_id=creator_id,
    )
    if converted.row is None:
        raise UnusableMetaRow(converted.rejected or "unusable Meta insights row")
    return converted.row


def convert_meta_insight(
    raw: Mapping[str, Any],
    *,
    org_id: str,
    level: str,
    synced_at: datetime,
    account_id: str | None = None,
    account_currency: str | None = None,
    attribution_windows: Sequence[str] | None = None,
    conversion_events: Sequence[str] | None = None,
    value_events: Sequence[str] | None = None,
    reachops_campaign_id: str | None = None,
    creator_id: str | None = None,
) -> MetaRow:
    """One daily Meta insights row at `level`.

    account_id (the synced account; else the row's own) is stored without "act_";
    account_currency is used when the row has no `account_currency`. attribution_windows are
    the windows the report was requested with (default 7d_click, 1d_view). conversion_events
    are the account's events (None: the campaign objective's, from the row's `objective`);
    value_events the ones whose value counts (None: the same). reachops_campaign_id and
    creator_id are the links written on the row (a re-sync replaces the whole row).
    """
    if account_id is not None:
        raw = {**raw, "account_id": account_id}
    problem = _identity_problem(raw, level, daily=True)
    if problem:
        return MetaRow(None, rejected=problem)
    currency = raw.get("account_currency") or account_currency
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        return MetaRow(None, rejected=f"no ISO 4217 account currency (got {currency!r})")
    requested = tuple(
        DEFAULT_REQUESTED_WINDOWS if attribution_windows is None else attribution_windows
    )
    events = tuple(conversion_events or events_for_objective(raw.get("objective")))
    valued = tuple(events if value_events is None else value_events)
    reader = _Reader(raw)
    link_clicks = reader.count("inline_link_clicks", "link_clicks")
    if link_clicks is None:
        link_clicks = reader.action_count("actions", "link_click", also="inline_link_clicks")
        if link_clicks is not None:
            reader.unknown.pop("link_clicks", None)
    default = reader.conversions(DEFAULT_WINDOW, events, valued)
    windows = tuple(reader.conversions(w, events, valued) for w in requested if w != DEFAULT_WINDOW)
    row = AdInsightRow(
        org_id=org_id,
        platform="meta",
        account_id=str(raw["account_id"]).removeprefix("act_"),
        level=level,
        entity_id=str(raw[f"{level}_id"]),
        entity_name=raw.get(_NAME[level]),
        campaign_id=str(raw["campaign_id"]),
        adset_id=str(raw["adset_id"]) if level in ("adset", "ad") else None,
        ad_id=str(raw["ad_id"]) if level == "ad" else None,
        reachops_campaign_id=reachops_campaign_id,
        creator_id=creator_id,
        date=date.fromisoformat(str(raw["date_start"])),
        currency=currency,
        spend_micros=reader.micros("spend"),
        impressions=reader.count("impressions"),
        reach=reader.count("reach"),
        frequency=reader.real("frequency"),
        clicks=reader.count("clicks"),
        link_clicks=link_clicks,
        conversions=default.conversions,
        conversion_value_micros=default.conversion_value_micros,
        engagements=reader.action_count("actions", "post_engagement"),
        video_p25=reader.action_count(_VIDEO["video_p25"], "video_view"),
        video_p50=reader.action_count(_VIDEO["video_p50"], "video_view"),
        video_p75=reader.action_count(_VIDEO["video_p75"], "video_view"),
        video_p100=reader.action_count(_VIDEO["video_p100"], "video_view"),
        actions_json=_actions_json(raw),
        attribution_windows=",".join(requested) or None,
        source="meta_api",
        synced_at=synced_at,
        windows=windows,
        conversion_events=events,
    )
    unknown = dict(reader.unknown)
    for figures in (default, *windows):
        for name, reason in figures.unknown.items():
            column = name if figures is default else f"{figures.attribution_window}.{name}"
            unknown[column] = reason
    return MetaRow(row, unknown=unknown)


def meta_range_row(
    raw: Mapping[str, Any],
    *,
    org_id: str,
    level: str,
    synced_at: datetime,
    account_id: str | None = None,
    account_currency: str | None = None,
) -> AdInsightRange:
    """One row of a range report (time_increment=all_days) at `level` (account, campaign, ad
    set or ad); raises UnusableMetaRow when it lacks its identity or its range."""
    if account_id is not None:
        raw = {**raw, "account_id": account_id}
    if level == "account":
        raw = {**raw, "campaign_id": ACCOUNT_RANGE_CAMPAIGN}
    problem = _identity_problem(raw, level, daily=False)
    currency = raw.get("account_currency") or account_currency
    if not problem and (not isinstance(currency, str) or not _CURRENCY.match(currency)):
        problem = f"no ISO 4217 account currency (got {currency!r})"
    if problem:
        raise UnusableMetaRow(problem)
    reader = _Reader(raw)
    return AdInsightRange(
        org_id=org_id,
        platform="meta",
        account_id=str(raw["account_id"]).removeprefix("act_"),
        level=level,
        entity_id=str(raw[f"{level}_id"]).removeprefix("act_"),
        entity_name=raw.get(_NAME[level]),
        campaign_id=str(raw["campaign_id"]),
        since=date.fromisoformat(str(raw["date_start"])),
        until=date.fromisoformat(str(raw["date_stop"])),
        currency=str(currency),
        spend_micros=reader.micros("spend"),
        impressions=reader.count("impressions"),
        reach=reader.count("reach"),
        frequency=reader.real("frequency"),
        source="meta_api",
        synced_at=synced_at,
    )


def _identity_problem(raw: Mapping[str, Any], level: str, *, daily: bool) -> str | None:
    levels = LEVELS if daily else ("account", *LEVELS)
    if level not in levels:
        return f"level must be one of {', '.join(levels)}, not {level!r}"
    required = ["account_id", f"{level}_id", "date_start"]
    if level != "account":
        required.append("campaign_id")
    if level == "ad":
        required.append("adset_id")
    if not daily:
        required.append("date_stop")
    missing = [name for name in required if not raw.get(name)]
    if missing:
        return f"missing {', '.join(missing)}"
    if daily and raw.get("date_stop", raw["date_start"]) != raw["date_start"]:
        return "not a daily row: date_start and date_stop differ"
    for name in ("date_start", "date_stop") if not daily else ("date_start",):
        try:
            date.fromisoformat(str(raw[name]))
        except ValueError:
            return f"{name} is not an ISO date: {raw[name]!r}"
    return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


class _Reader:
    """Reads figures from one raw row, noting why each unknown one is unknown."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.unknown: dict[str, str] = {}

    def _number(self, name: str, column: str) -> Decimal | None:
        if self.raw.get(name) is None:
            self.unknown[column] = f"Meta reported no {name}"
            return None
        parsed = _decimal(self.raw[name])
        if parsed is None or parsed < 0:
            self.unknown[column] = f"{name} is not a non-negative number: {self.raw[name]!r}"
        return parsed if parsed is not None and parsed >= 0 else None

    def count(self, name: str, column: str | None = None) -> int | None:
        return self._integral(self._number(name, column or name), name, column or name)

    def _integral(self, value: Decimal | None, name: str, column: str) -> int | None:
        if value is not None and value != value.to_integral_value():
            self.unknown[column] = f"{name} is not a whole number: {value}"
            return None
        return None if value is None else int(value)

    def real(self, name: str) -> float | None:
        value = self._number(name, name)
        return None if value is None else float(value)

    def micros(self, name: str) -> int | None:
        value = self._number(name, f"{name}_micros")
        return None if value is None else _to_micros(value)

    def action_count(self, list_name: str, action_type: str, *, also: str = "") -> int | None:
        column = _column_for(list_name, action_type)
        entries = self.raw.get(list_name)
        value: Decimal | None = None
        reason = f"Meta reported no {list_name}" if not isinstance(entries, list) else None
        if reason is None:
            found = self.figures(list_name, "value").get(action_type)
            value = found
            if found is None:
                reason = f"no {action_type} in {list_name} (or not a number)"
        if reason:
            self.unknown[column] = f"{also} not reported and {reason}" if also else reason
        return self._integral(value, action_type, column)

    def figures(self, list_name: str, key: str) -> dict[str, Decimal]:
        """action type -> its non-negative figure under `key` ("value" or a window)."""
        entries = self.raw.get(list_name)
        found: dict[str, Decimal] = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping) and "action_type" in entry:
                parsed = _decimal(entry.get(key))
                if parsed is not None and parsed >= 0:
                    found.setdefault(str(entry["action_type"]), parsed)
        return found

    def conversions(
        self, window: str, events: Sequence[str], valued: Sequence[str]
    ) -> WindowConversions:
        """The events' conversions and value under `window`, from that window's own key."""
        key = "value" if window == DEFAULT_WINDOW else window
        unknown: dict[str, str] = {}
        count, counted = count_events(self.figures("actions", key), events)
        if count is None:
            wanted = ", ".join(all_action_types(events)) or "no conversion events"
            unknown["conversions"] = f"no {key} figure for any of {wanted} in actions"
        value, _ = count_events(self.figures("action_values", key), valued)
        if value is None:
            wanted = ", ".join(all_action_types(valued)) or "no value events"
            unknown["conversion_value_micros"] = (
                f"no {key} figure for any of {wanted} in action_values"
            )
        return WindowConversions(
            attribution_window=window,
            conversions=None if count is None else float(count),
            conversion_value_micros=None if value is None else _to_micros(value),
            counted_action_types=counted,
            unknown=unknown,
        )


def _column_for(list_name: str, action_type: str) -> str:
    video = {name: column for column, name in _VIDEO.items()}
    if list_name in video:
        return video[list_name]
    return {"link_click": "link_clicks", "post_engagement": "engagements"}.get(
        action_type, action_type
    )


def _to_micros(major: Decimal) -> int:
    """Major units (a decimal) as integer micros, rounded half up beyond the sixth decimal."""
    return int((major * MICROS_PER_UNIT).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _actions_json(raw: Mapping[str, Any]) -> str | None:
    """Every action list of the row: {field: {action_type: {"value": ..., window: ...}}}."""
    lists: dict[str, dict[str, dict[str, Any]]] = {}
    for name, entries in raw.items():
        if not isinstance(entries, list):
            continue
        by_type = {
            str(entry["action_type"]): {k: v for k, v in entry.items() if k != "action_type"}
            for entry in entries
            if isinstance(entry, Mapping) and "action_type" in entry
        }
        if by_type:
            lists[name] = by_type
    return json.dumps(lists, sort_keys=True, separators=(",", ":")) if lists else None
