"""An insights query read from Graph's parameters: level, fields, attribution windows and
setting, the date range (time_range or date_preset), time_increment, filtering and breakdowns,
refused as Meta refuses them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shared.localstack.graph.breakdowns import check_breakdowns
from shared.localstack.graph.catalog import EFFECTIVE_STATUSES, LEVELS
from shared.localstack.graph.wire import invalid, json_or_raw, list_param

# The windows Meta still returns. On 12 January 2026 Meta stopped returning 7d_view and
# 28d_view: they are still taken in action_attribution_windows, and no entry carries them
# (https://developers.facebook.com/blog/post/2025/10/16/ads-insights-api-metric-availability-updates/).
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "1d_ev")
WITHDRAWN_WINDOWS = frozenset({"7d_view", "28d_view"})
# Windows Meta takes that the stand-in does not render (refused, so no test trusts them).
UNRENDERED_WINDOWS = frozenset(
    {
        "dda", "default", "incrementality", "1d_sequenced", "7d_sequenced", "28d_sequenced",
        "skan_click", "skan_view", "skan_click_second_postback", "skan_view_second_postback",
        "skan_click_third_postback", "skan_view_third_postback", "custom",
    }
)  # fmt: skip
FILTER_OPERATORS = frozenset({"IN", "NOT_IN", "EQUAL", "NOT_EQUAL"})
ID_FIELDS = {
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
VIDEO_FIELDS = (
    "video_p25_watched_actions",
    "video_p50_watched_actions",
    "video_p75_watched_actions",
    "video_p100_watched_actions",
)
INSIGHT_FIELDS = frozenset(
    {
        "account_id", "account_name", "account_currency", "date_start", "date_stop",
        "spend", "impressions", "reach", "frequency", "clicks", "inline_link_clicks",
        "cpm", "ctr", "cpc", "actions", "action_values", "cost_per_action_type", "objective",
        *VIDEO_FIELDS,
        *(name for pair in ID_FIELDS.values() for name in pair),
    }
)  # fmt: skip
DEFAULT_INSIGHT_FIELDS = ("impressions", "spend")


@dataclass(frozen=True)
class Filter:
    """One `filtering` entry: `{level}.effective_status` or `{level}.id`, IN or EQUAL."""

    level: str
    attribute: str
    operator: str
    values: frozenset[str]

    def keeps(self, value: str) -> bool:
        return (value in self.values) == (self.operator in ("IN", "EQUAL"))


@dataclass(frozen=True)
class InsightsQuery:
    level: str
    fields: tuple[str, ...]
    windows: tuple[str, ...]
    since: date
    until: date
    increment: int | None  # days per row; None for one row over the whole range
    filters: tuple[Filter, ...] = ()
    breakdowns: tuple[str, ...] = ()


def _filters(params: Mapping[str, str]) -> tuple[Filter, ...]:
    raw = params.get("filtering")
    if not raw:
        return ()
    entries = json_or_raw(raw)
    if not isinstance(entries, list):
        raise invalid("filtering must be a JSON array of {field, operator, value} objects")
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or {"field", "operator", "value"} - set(entry):
            raise invalid("filtering entries need field, operator and value")
        field_name, operator = str(entry["field"]), str(entry["operator"]).upper()
        level, _, attribute = field_name.partition(".")
        if level not in LEVELS[1:] or attribute not in ("effective_status", "id"):
            raise invalid(f"Filtering field {field_name} is invalid.")
        if operator not in FILTER_OPERATORS:
            raise invalid(f"Filtering operator {operator} is not supported for {field_name}.")
        value = entry["value"]
        values = frozenset(str(v) for v in (value if isinstance(value, list) else [value]))
        bad = sorted(values - EFFECTIVE_STATUSES) if attribute == "effective_status" else []
        if bad:
            raise invalid(
                f"Filtering field {field_name} with value {bad[0]} is invalid. It must be one "
                f"of the following values: {', '.join(sorted(EFFECTIVE_STATUSES))}"
            )
        out.append(Filter(level, attribute, operator, values))
    return tuple(out)


def _date_param(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise invalid(f"time_range.{name} must be a date like 2026-01-31") from exc


def date_range(params: Mapping[str, str], today: date) -> tuple[date, date]:
    if params.get("time_range"):
        time_range = json_or_raw(params["time_range"])
        if not isinstance(time_range, dict) or {"since", "until"} - set(time_range):
            raise invalid("time_range must be an object with since and until")
        since = _date_param(time_range["since"], "since")
        until = _date_param(time_range["until"], "until")
        if since > until:
            raise invalid("time_range.since must not be after time_range.until")
        return since, until
    preset = params.get("date_preset", "last_30d")
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if preset == "maximum":
        return today - timedelta(days=37 * 30), today
    if match := re.fullmatch(r"last_(\d+)d", preset):
        return today - timedelta(days=int(match.group(1))), today - timedelta(days=1)
    raise invalid(f"date_preset {preset!r} is not supported by the local stand-in")


def insights_query(params: Mapping[str, str], node_kind: str, today: date) -> InsightsQuery:
    level = params.get("level", node_kind)
    if level not in LEVELS:
        raise invalid(f"level must be one of the following values: {', '.join(LEVELS)}")
    fields = list_param(params, "fields") or list(DEFAULT_INSIGHT_FIELDS)
    unknown = [f for f in fields if f not in INSIGHT_FIELDS]
    if unknown:
        raise invalid(f"fields contains an unknown or unsupported field: {unknown[0]}")
    windows = list_param(params, "action_attribution_windows") or []
    for index, window in enumerate(windows):
        if window in UNRENDERED_WINDOWS:
            raise invalid(f"action_attribution_windows {window!r} is not rendered by the stand-in")
        if window not in WINDOWS and window not in WITHDRAWN_WINDOWS:
            raise invalid(
                f"action_attribution_windows[{index}] must be one of the following values: "
                f"{', '.join((*WINDOWS, *sorted(WITHDRAWN_WINDOWS)))}"
            )
    # Since 2025-06-10 Meta disregards use_unified_attribution_setting and action_report_time
    # for `value`: it always follows each ad set's attribution setting, as Ads Manager shows it
    # (Insights best practices, "Discrepancy with Ads Manager":
    # https://developers.facebook.com/docs/marketing-api/insights/best-practices/). The flags are
    # still accepted; the requested windows' keys come either way.
    raw_increment = params.get("time_increment", "all_days")
    if raw_increment == "all_days":
        increment = None
    elif raw_increment.isdigit() and 1 <= int(raw_increment) <= 90:
        increment = int(raw_increment)
    else:
        raise invalid("time_increment must be all_days or a number of days from 1 to 90")
    report_time = params.get("action_report_time", "mixed")
    if report_time not in ("mixed", "conversion"):  # conversions land on their own day here
        raise invalid(f"action_report_time {report_time!r} is not rendered by the stand-in")
    since, until = date_range(params, today)
    breakdowns = tuple(list_param(params, "breakdowns") or ())
    check_breakdowns(breakdowns)
    return InsightsQuery(
        level,
        tuple(fields),
        tuple(w for w in windows if w not in WITHDRAWN_WINDOWS),
        since,
        until,
        increment,
        _filters(params),
        breakdowns,
    )
