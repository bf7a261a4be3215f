"""Paid media KPIs, and Meta Graph API insights rows as ad_insights_daily rows.

The KPI formulas are the ones of bigquery_sql/views/paid_kpis_daily.sql, for API replies. They
take money in micros (exact integers) and give cost KPIs in MAJOR units of the currency as
floats (a KPI is a ratio to read, never money to add up). A KPI is None when its denominator
is 0 or unknown or its numerator is unknown; `kpis_for` says why for each one.

`meta_insight_row` turns one daily row of a Meta insights report (as the Graph API returns it:
numbers as decimal strings, actions as lists of {"action_type", "value", "<window>": ...})
into an ad_insights_daily row dict. A figure Meta did not report stays None, never 0;
`convert_meta_insight` gives the same row with the reason for each None (`MetaRow.unknown`), and
a rejection reason instead of an exception for a row without its identity.
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

Number = int | float

# --- KPI formulas --------------------------------------------------------------------------------


def _ratio(numerator: Number | None, denominator: Number | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _scaled(value: float | None, divisor: int) -> float | None:
    return None if value is None else value / divisor


def cpm(spend_micros: int | None, impressions: int | None) -> float | None:
    """Cost per 1,000 impressions, major units."""
    return _scaled(_ratio(spend_micros, impressions), 1000)


def cpc(spend_micros: int | None, clicks: int | None) -> float | None:
    """Cost per click (all clicks), major units."""
    return _scaled(_ratio(spend_micros, clicks), MICROS_PER_UNIT)


def cost_per_link_click(spend_micros: int | None, link_clicks: int | None) -> float | None:
    return _scaled(_ratio(spend_micros, link_clicks), MICROS_PER_UNIT)


def ctr(clicks: int | None, impressions: int | None) -> float | None:
    """Click-through rate as a fraction (0.01 = 1 %)."""
    return _ratio(clicks, impressions)


def cpa(spend_micros: int | None, conversions: float | None) -> float | None:
    """Cost per conversion (acquisition), major units."""
    return _scaled(_ratio(spend_micros, conversions), MICROS_PER_UNIT)


def roas(conversion_value_micros: int | None, spend_micros: int | None) -> float | None:
    """Return on ad spend: conversion value / spend (one currency, so a plain ratio)."""
    return _ratio(conversion_value_micros, spend_micros)


def cpe(spend_micros: int | None, engagements: int | None) -> float | None:
    """Cost per engagement, major units."""
    return _scaled(_ratio(spend_micros, engagements), MICROS_PER_UNIT)


def frequency(reported: float | None, impressions: int | None, reach: int | None) -> float | None:
    """The platform's frequency, else impressions / reach."""
    return reported if reported is not None else _ratio(impressions, reach)


@dataclass(frozen=True)
class Kpis:
    """Every KPI of one row; cost KPIs in major units of `currency`. `unknown` maps each None
    KPI to the reason."""

    currency: str | None
    cpm: float | None
    cpc: float | None
    cost_per_link_click: float | None
    ctr: float | None
    link_ctr: float | None
    cpa: float | None
    roas: float | None
    cpe: float | None
    frequency: float | None
    unknown: Mapping[str, str] = field(default_factory=dict)


_KPI_PARTS: Mapping[str, tuple[str, str]] = {
    "cpm": ("spend_micros", "impressions"),
    "cpc": ("spend_micros", "clicks"),
    "cost_per_link_click": ("spend_micros", "link_clicks"),
    "ctr": ("clicks", "impressions"),
    "link_ctr": ("link_clicks", "impressions"),
    "cpa": ("spend_micros", "conversions"),
    "roas": ("conversion_value_micros", "spend_micros"),
    "cpe": ("spend_micros", "engagements"),
}


def kpis_for(row: Mapping[str, Any]) -> Kpis:
    """The KPIs of an ad_insights_daily row (or any mapping with its column names)."""
    get = row.get
    values = {
        "cpm": cpm(get("spend_micros"), get("impressions")),
        "cpc": cpc(get("spend_micros"), get("clicks")),
        "cost_per_link_click": cost_per_link_click(get("spend_micros"), get("link_clicks")),
        "ctr": ctr(get("clicks"), get("impressions")),
        "link_ctr": ctr(get("link_clicks"), get("impressions")),
        "cpa": cpa(get("spend_micros"), get("conversions")),
        "roas": roas(get("conversion_value_micros"), get("spend_micros")),
        "cpe": cpe(get("spend_micros"), get("engagements")),
        "frequency": frequency(get("frequency"), get("impressions"), get("reach")),
    }
    unknown: dict[str, str] = {}
    for name, (numerator, denominator) in _KPI_PARTS.items():
        if values[name] is None:
            unknown[name] = _why(row, numerator, denominator)
    if values["frequency"] is None:
        unknown["frequency"] = "no frequency reported and " + _why(row, "impressions", "reach")
    return Kpis(currency=get("currency"), unknown=unknown, **values)


def _why(row: Mapping[str, Any], numerator: str, denominator: str) -> str:
    if row.get(denominator) is None:
        return f"{denominator} not reported"
    if row.get(denominator) == 0:
        return f"{denominator} is 0"
    return f"{numerator} not reported"


# --- Meta insights rows --------------------------------------------------------------------------

PIXEL_PURCHASE = "offsite_conversion.fb_pixel_purchase"


@dataclass(frozen=True)
class MetaRowSettings:
    """How a Meta insights row becomes an ad_insights_daily row.

    conversion_action_types: groups of action types; each group counts its FIRST type present in
    the row, so aliases of one conversion (the pixel purchase and the generic purchase, which Meta
    reports for the same event) are never counted twice; the groups are added up.
    attribution_windows: the action_attribution_windows the report was requested with.
    """

    conversion_action_types: tuple[tuple[str, ...], ...] = ((PIXEL_PURCHASE, "purchase"),)
    attribution_windows: tuple[str, ...] = ("7d_click", "1d_view")


DEFAULT_META_SETTINGS = MetaRowSettings()


@dataclass(frozen=True)
class MetaRow:
    """An ad_insights_daily row, or None and why the Meta row cannot be stored (`rejected`).
    `unknown` maps each None figure to the reason."""

    row: dict[str, Any] | None
    unknown: Mapping[str, str] = field(default_factory=dict)
    rejected: str | None = None


_NAME = {"campaign": "campaign_name", "adset": "adset_name", "ad": "ad_name"}
_VIDEO = {
    "video_p25": "video_p25_watched_actions",
    "video_p50": "video_p50_watched_actions",
    "video_p75": "video_p75_watched_actions",
    "video_p100": "video_p100_watched_actions",
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class UnusableMetaRow(ValueError):
    """A Meta insights row that cannot become an ad_insights_daily row (the message says why)."""


def meta_insight_row(
    raw: Mapping[str, Any],
    *,
    org_id: str,
    level: str,
    synced_at: datetime,
    account_id: str | None = None,
    account_currency: str | None = None,
    attribution_windows: Sequence[str] | None = None,
    reachops_campaign_id: str | None = None,
    creator_id: str | None = None,
    settings: MetaRowSettings = DEFAULT_META_SETTINGS,
) -> dict[str, Any]:
    """One Meta insights row as an ad_insights_daily row; raises UnusableMetaRow when it lacks
    its identity (ids, a single day, the currency). `convert_meta_insight` (same arguments)
    never raises and also says why each None figure is None."""
    converted = convert_meta_insight(
        raw,
        org_id=org_id,
        level=level,
        synced_at=synced_at,
        account_id=account_id,
        account_currency=account_currency,
        attribution_windows=attribution_windows,
        reachops_campaign_id=reachops_campaign_id,
        creator_id=creator_id,
        settings=settings,
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
    reachops_campaign_id: str | None = None,
    creator_id: str | None = None,
    settings: MetaRowSettings = DEFAULT_META_SETTINGS,
) -> MetaRow:
    """One Meta insights row (time_increment=1) at `level` as an ad_insights_daily row.

    Counts use each action's "value" (Meta's figure for the report's attribution setting); the
    per-window figures are kept in actions_json. account_id (the synced account; else the row's
    own) is stored without "act_". account_currency is used when the row has no
    `account_currency` field. attribution_windows, the windows the report was requested with,
    default to settings.attribution_windows. reachops_campaign_id and creator_id are the links
    to write on the row (a re-sync replaces the whole row, links included).
    """
    if account_id is not None:
        raw = {**raw, "account_id": account_id}
    problem = _identity_problem(raw, level)
    if problem:
        return MetaRow(None, rejected=problem)
    currency = raw.get("account_currency") or account_currency
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        return MetaRow(None, rejected=f"no ISO 4217 account currency (got {currency!r})")
    reader = _Reader(raw)
    link_clicks = reader.count("inline_link_clicks", "link_clicks")
    if link_clicks is None:
        link_clicks = reader.action_count("actions", "link_click", also="inline_link_clicks")
        if link_clicks is not None:
            reader.unknown.pop("link_clicks", None)
    row: dict[str, Any] = {
        "org_id": org_id,
        "platform": "meta",
        "account_id": str(raw["account_id"]).removeprefix("act_"),
        "level": level,
        "entity_id": str(raw[f"{level}_id"]),
        "entity_name": raw.get(_NAME[level]),
        "campaign_id": str(raw["campaign_id"]),
        "adset_id": str(raw["adset_id"]) if level in ("adset", "ad") else None,
        "ad_id": str(raw["ad_id"]) if level == "ad" else None,
        "reachops_campaign_id": reachops_campaign_id,
        "creator_id": creator_id,
        "date": date.fromisoformat(str(raw["date_start"])),
        "currency": currency,
        "spend_micros": reader.micros("spend"),
        "impressions": reader.count("impressions"),
        "reach": reader.count("reach"),
        "frequency": reader.real("frequency"),
        "clicks": reader.count("clicks"),
        "link_clicks": link_clicks,
        "conversions": reader.conversions(settings.conversion_action_types),
        "conversion_value_micros": reader.conversion_value(settings.conversion_action_types),
        "engagements": reader.action_count("actions", "post_engagement"),
        **{column: reader.action_count(name, "video_view") for column, name in _VIDEO.items()},
        "actions_json": _actions_json(raw),
        "attribution_windows": ",".join(
            settings.attribution_windows if attribution_windows is None else attribution_windows
        )
        or None,
        "source": "meta_api",
        "synced_at": synced_at,
    }
    return MetaRow(row, unknown=dict(reader.unknown))


def _identity_problem(raw: Mapping[str, Any], level: str) -> str | None:
    if level not in LEVELS:
        return f"level must be one of {', '.join(LEVELS)}, not {level!r}"
    required = ["account_id", "campaign_id", f"{level}_id", "date_start"]
    if level == "ad":
        required.append("adset_id")
    missing = [name for name in required if not raw.get(name)]
    if missing:
        return f"missing {', '.join(missing)}"
    if raw.get("date_stop", raw["date_start"]) != raw["date_start"]:
        return "not a daily row: date_start and date_stop differ"
    try:
        date.fromisoformat(str(raw["date_start"]))
    except ValueError:
        return f"date_start is not an ISO date: {raw['date_start']!r}"
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

    def _action(self, list_name: str, action_type: str) -> tuple[Decimal | None, str | None]:
        entries = self.raw.get(list_name)
        if not isinstance(entries, list):
            return None, f"Meta reported no {list_name}"
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("action_type") == action_type:
                value = _decimal(entry.get("value"))
                if value is None or value < 0:
                    return None, f"{action_type} in {list_name} is not a number"
                return value, None
        return None, f"no {action_type} in {list_name}"

    def action_count(self, list_name: str, action_type: str, *, also: str = "") -> int | None:
        column = _column_for(list_name, action_type)
        value, reason = self._action(list_name, action_type)
        if reason:
            self.unknown[column] = f"{also} not reported and {reason}" if also else reason
        return self._integral(value, action_type, column)

    def _first_of_groups(
        self, list_name: str, groups: Sequence[Sequence[str]], column: str
    ) -> Decimal | None:
        found: list[Decimal] = []
        for group in groups:
            for action_type in group:
                value, _ = self._action(list_name, action_type)
                if value is not None:
                    found.append(value)
                    break
        if not found:
            wanted = ", ".join(t for group in groups for t in group)
            self.unknown[column] = f"none of {wanted} in {list_name}"
            return None
        return sum(found, Decimal(0))

    def conversions(self, groups: Sequence[Sequence[str]]) -> float | None:
        value = self._first_of_groups("actions", groups, "conversions")
        return None if value is None else float(value)

    def conversion_value(self, groups: Sequence[Sequence[str]]) -> int | None:
        value = self._first_of_groups("action_values", groups, "conversion_value_micros")
        return None if value is None else _to_micros(value)


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
