"""Daily metrics rendered from each ad's seed, combined over ads and days, and written as
Graph's insight rows (numbers as decimal strings, money in the account currency).

An ad converts as its seed's `conversion` says (a pixel purchase by default, or a pixel lead,
an instant-form lead, an app install, a registration), counted per attribution window: the
1-day click count is at most the 7-day one, which is at most the 28-day one; 1-day view and
1-day engaged view (video ads only) come on top. A seed with `late_conversions` goes on
converting for up to 28 days after its last delivery (it was paused, archived or deleted):
rows with no spend, only conversions of earlier clicks, as Meta reports them.

Every count also carries, under AD_SET_VALUE, the sum over the windows of the ad's ad set's
attribution setting: that is what `value` shows when the query asks for each ad set's setting,
and summing it over ads gives a campaign's or account's `value` as Ads Manager adds it up."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.localstack.graph.actions import AD_SET_VALUE, action_list, cost_per_action
from shared.localstack.graph.catalog import LEVELS, Catalog
from shared.localstack.graph.query import ID_FIELDS, VIDEO_FIELDS, InsightsQuery

DAYS_OF_DATA = 60
RESTATED_DAYS = 3
LATE_CONVERSION_DAYS = 28  # Meta keeps counting a stopped ad's conversions this long
CLICK_WINDOWS = ("1d_click", "7d_click", "28d_click")
WEEKDAY_FACTOR = (0.97, 1.0, 1.01, 0.99, 1.04, 1.12, 1.09)
ADS_OVERLAP = 0.85  # share of the non-largest reach that is new people, ads on one day
DAYS_OVERLAP = 0.45  # the same, one ad over several days: most people come back


@dataclass
class Metrics:
    """One object's delivery over some days; money in minor units. `actions` and
    `action_values` map a sample event (purchase, lead_pixel, link_click, ...) to its count
    per attribution window."""

    spend_cents: int = 0
    impressions: int = 0
    reach: int = 0
    clicks: int = 0
    inline_link_clicks: int = 0
    actions: dict[str, dict[str, int]] = field(default_factory=dict)
    action_values: dict[str, dict[str, int]] = field(default_factory=dict)
    video: tuple[int, int, int, int] | None = None


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) for the given key."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Timeline:
    """One account's dates: the server's start and today (the account's timezone), and how
    often Meta has restated the recent days so far."""

    started: date
    today: date
    restatement: int


def restatement(ad_id: str, day: date, days_ago: int, count: int) -> tuple[float, int]:
    """(spend and delivery factor, late conversions) for the `count`th restatement of a recent
    day: within a few percent, the newest day moving most; none for older days."""
    if not count or days_ago > RESTATED_DAYS:
        return 1.0, 0
    sign = 1 if unit(ad_id, day, "restate-sign", count) >= 0.5 else -1
    size = 0.01 + 0.03 * unit(ad_id, day, "restate-size", count)
    scale = 1 + sign * size * (RESTATED_DAYS + 1 - days_ago) / RESTATED_DAYS
    return scale, int(3 * unit(ad_id, day, "restate-late", count))


def _stopped_age(seed: Mapping[str, Any]) -> int | None:
    """Days before the server's start when the ad last delivered + 1 (paused or deleted)."""
    stops = [seed.get("paused_days_ago"), seed.get("deleted_days_ago")]
    known = [s for s in stops if s is not None]
    return max(known) if known else None


def ad_day(ad: Mapping[str, Any], day: date, timeline: Timeline) -> Metrics | None:
    """What one ad delivered on one day, or None on a day it did not run (and had no late
    conversions). Delivery is anchored to the server's start, so a day reads the same as the
    clock moves on, except that the last days change with each restatement."""
    seed = ad["seed"]
    age = (timeline.started - day).days
    days_ago = (timeline.today - day).days
    if days_ago < 1 or age > min(seed["started_days_ago"], DAYS_OF_DATA):
        return None
    stopped = _stopped_age(seed)
    if stopped is not None and age < stopped:
        late = _late_day(ad, day, stopped - age) if seed.get("late_conversions") else None
        return None if late is None else _with_setting(late, ad["attribution_windows"])
    return _with_setting(_delivery(ad, day, timeline), ad["attribution_windows"])


def _with_setting(metrics: Metrics, setting: Sequence[str]) -> Metrics:
    """Adds each count's figure under the ad set's attribution setting (AD_SET_VALUE)."""
    for counts in (*metrics.actions.values(), *metrics.action_values.values()):
        counts[AD_SET_VALUE] = sum(counts.get(w, 0) for w in setting)
    return metrics


def _delivery(ad: Mapping[str, Any], day: date, timeline: Timeline) -> Metrics:
    seed = ad["seed"]
    age = (timeline.started - day).days
    days_ago = (timeline.today - day).days
    scale, late = restatement(ad["id"], day, days_ago, timeline.restatement)

    def u(*key: object) -> float:
        return unit(ad["id"], day.isoformat(), *key)

    wave = 1 + 0.12 * math.sin(2 * math.pi * (day.toordinal() % 28) / 28 + 6 * unit(ad["id"]))
    spend = seed["daily_spend"] * WEEKDAY_FACTOR[day.weekday()] * wave * (0.85 + 0.3 * u("spend"))
    for change in seed.get("budget_changes", ()):  # budget raised or cut for a stretch of days
        newest, oldest = change["days_ago"][1], change["days_ago"][0]
        if newest <= age <= oldest:
            spend *= change["factor"]
    spend_cents = max(1, round(spend * 100 * scale))
    impressions = round(spend_cents / 100 / (seed["cpm"] * (0.9 + 0.2 * u("cpm"))) * 1000)
    frequency = seed["frequency"] * (0.95 + 0.1 * u("frequency"))
    reach = min(impressions, max(1, round(impressions / frequency)))
    clicks = round(impressions * seed["ctr"] * (0.8 + 0.4 * u("ctr")))
    link_clicks = min(clicks, round(clicks * seed["link_click_share"]))
    landing = round(link_clicks * seed["landing_page_view_rate"] * (0.9 + 0.2 * u("lpv")))
    engagement = clicks + round(impressions * seed["engagement_rate"] * (0.8 + 0.4 * u("eng")))
    video_views = round(impressions * seed["video_view_rate"] * (0.85 + 0.3 * u("video")))
    kind = seed.get("conversion", "purchase")
    base = {"lead_onsite": clicks, "app_install": link_clicks}.get(kind, landing)
    converted = round(base * seed["purchase_rate"] * (0.6 + 0.8 * u("purchase"))) + late
    one_day_view = round(converted * seed["view_through_share"] * (0.7 + 0.6 * u("view")))
    windows = {
        "1d_click": round(converted * (0.7 + 0.2 * u("1d_click"))),
        "7d_click": converted,
        "28d_click": converted + round(converted * (0.05 + 0.15 * u("28d_click"))),
        "1d_view": one_day_view,
        # Engaged views (10 s of video, no click) that converted within a day.
        "1d_ev": round(video_views * seed["purchase_rate"] * 0.05 * (0.5 + u("1d_ev"))),
    }
    metrics = Metrics(spend_cents, impressions, reach, clicks, link_clicks)
    on_ad = {
        "link_click": link_clicks,
        "landing_page_view": landing,
        "post_engagement": engagement,
        "video_view": video_views,
    }
    for action_type, count in on_ad.items():
        metrics.actions[action_type] = dict.fromkeys(CLICK_WINDOWS, count)
    _convert(metrics, ad, day, windows)
    if video_views:
        p25 = round(video_views * (0.55 + 0.1 * u("p25")))
        p50 = round(p25 * (0.55 + 0.1 * u("p50")))
        p75 = round(p50 * (0.6 + 0.1 * u("p75")))
        metrics.video = (p25, p50, p75, round(p75 * (0.65 + 0.1 * u("p100"))))
    return metrics


def _late_day(ad: Mapping[str, Any], day: date, days_after: int) -> Metrics | None:
    """Conversions of earlier clicks on a day after the ad stopped: fewer each day, within
    the 7-day click window for a week, the 28-day one for four."""
    if days_after > LATE_CONVERSION_DAYS:
        return None
    first = ad["seed"]["late_conversions"]  # conversions on the first day after it stopped
    n = round(first * 0.75 ** (days_after - 1) * (0.6 + 0.8 * unit(ad["id"], day, "late")))
    if n < 1:
        return None
    windows = {
        "1d_click": n if days_after == 1 else 0,
        "7d_click": n if days_after <= 7 else 0,
        "28d_click": n,
    }
    metrics = Metrics()
    _convert(metrics, ad, day, windows)
    return metrics


def _convert(metrics: Metrics, ad: Mapping[str, Any], day: date, windows: dict[str, int]) -> None:
    seed = ad["seed"]
    kind = seed.get("conversion", "purchase")
    metrics.actions[kind] = dict(windows)
    if kind == "purchase":
        order_cents = seed["average_order_value"] * 100 * (0.9 + 0.2 * unit(ad["id"], day, "aov"))
        metrics.action_values[kind] = {w: round(n * order_cents) for w, n in windows.items()}
    if custom := seed.get("custom_conversion_id"):
        metrics.actions[f"offsite_conversion.custom.{custom}"] = {
            w: n - n // 3
            for w, n in windows.items()  # the custom rule takes most of them
        }


def combine(parts: Sequence[Metrics], overlap: float = ADS_OVERLAP) -> Metrics:
    """Sums, except reach: people reached by several ads or on several days count once."""
    total = Metrics()
    reaches = [p.reach for p in parts]
    for part in parts:
        total.spend_cents += part.spend_cents
        total.impressions += part.impressions
        total.clicks += part.clicks
        total.inline_link_clicks += part.inline_link_clicks
        pairs = ((part.actions, total.actions), (part.action_values, total.action_values))
        for source, target in pairs:
            for action_type, windows in source.items():
                into = target.setdefault(action_type, {})
                for window, n in windows.items():
                    into[window] = into.get(window, 0) + n
        if part.video is not None:
            before = total.video or (0, 0, 0, 0)
            total.video = (
                before[0] + part.video[0],
                before[1] + part.video[1],
                before[2] + part.video[2],
                before[3] + part.video[3],
            )
    if reaches:
        largest = max(reaches)
        total.reach = largest + round((sum(reaches) - largest) * overlap)
    return total


def money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def ratio(numerator: float, denominator: float, digits: int = 6) -> str:
    return str(round(numerator / denominator, digits)) if denominator else "0"


def render_row(
    catalog: Catalog,
    key: str,
    query: InsightsQuery,
    span: tuple[date, date],
    total: Metrics,
    *,
    segment: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    level_object = catalog.table(query.level)[key]
    account = catalog.accounts[level_object["account_id"] if query.level != "account" else key]
    names: dict[str, Any] = {
        "account_id": account["account_id"],
        "account_name": account["name"],
        "account_currency": account["currency"],
    }
    for level, (id_field, name_field) in ID_FIELDS.items():
        if LEVELS.index(level) <= LEVELS.index(query.level):
            obj = (
                level_object
                if level == query.level
                else catalog.table(level)[level_object[f"{level}_id"]]
            )
            names[id_field], names[name_field] = obj["id"], obj["name"]
    if query.level != "account":
        names["objective"] = catalog.ancestor(level_object, "campaign").get("objective")
    values: dict[str, Any] = {
        **names,
        "spend": money(total.spend_cents),
        "impressions": str(total.impressions),
        "reach": str(total.reach),
        "frequency": ratio(total.impressions, total.reach),
        "clicks": str(total.clicks),
        "inline_link_clicks": str(total.inline_link_clicks),
        "cpm": ratio(total.spend_cents * 10, total.impressions),
        "ctr": ratio(total.clicks * 100, total.impressions),
        "cpc": ratio(total.spend_cents / 100, total.clicks),
        "actions": action_list(total.actions, query, money=False),
        "action_values": action_list(total.action_values, query, money=True),
        "cost_per_action_type": cost_per_action(total.actions, query, total.spend_cents),
    }
    if total.video is not None:
        for name, count in zip(VIDEO_FIELDS, total.video, strict=True):
            if count:
                values[name] = [{"action_type": "video_view", "value": str(count)}]
    row = {name: values[name] for name in query.fields if values.get(name) not in (None, [])}
    row.update(segment or {})
    row["date_start"], row["date_stop"] = span[0].isoformat(), span[1].isoformat()
    return row
