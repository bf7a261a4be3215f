"""A local stand-in for the Meta Graph API (Marketing API), speaking the wire format
facebook-business 26.x uses: form or query parameters in, JSON out, errors as
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`.

API, under any version prefix (`/v21.0/...`; `access_token` in the query or the body):
  GET  /dialog/oauth                the login dialog (www.facebook.com's), approved at once by
                                    the sample user: 302 to redirect_uri?code=...&state=...
  GET  /oauth/access_token          client_id, client_secret, redirect_uri, code -> a short-lived
                                    user token; grant_type=fb_exchange_token, fb_exchange_token
                                    -> a long-lived one ({access_token, token_type, expires_in})
  GET  /me, /me/adaccounts          the sample user and the ad accounts it can read
  GET  /{node}                      an ad account, campaign, ad set, ad or business (`fields`);
                                    an async report run: each read advances its async_status
                                    (Job Not Started -> Job Started -> Job Running -> Job Completed)
  GET  /act_{id}/campaigns|adsets|ads, /{campaign}/adsets|ads, /{adset}/ads
  POST /{account|campaign|adset|ad}/insights    start an async report: {"report_run_id"}
  GET  /{account|campaign|adset|ad}/insights    the same rows, synchronously
  GET  /{report_run_id}/insights                a completed report's rows
Insights take fields, level, time_range ({"since", "until"}) or date_preset, time_increment
(1..90 or all_days), action_attribution_windows and use_account_attribution_setting. Edges page
with `limit` (default 25) and `after`; a page that is not the last has `paging.next` (a full URL)
and `paging.cursors.after`, which is what the SDK's Cursor follows. Every Graph response carries
x-business-use-case-usage, x-ad-account-usage and x-fb-ads-insights-throttle.

Tokens: those this server issued (short-lived ones expire after 2 hours of server clock,
long-lived ones after 60 days) and any token starting "sample-token". Codes: those the dialog
or POST /_control/codes minted (single use, 10 minutes, bound to their redirect_uri) and any
code starting "sample-code". Any non-empty client_id and client_secret are accepted unless the
server is given its app's (`--app-id`, `--app-secret`); then they must match, and an
`appsecret_proof`, when sent, must be HMAC-SHA256(app secret, token).

Data: graph_samples/ad_accounts.json (labelled sample data) holds one agency business, two ad
accounts (EUR and USD), their campaigns, ad sets and ads, and each ad's seeds. Daily rows are
rendered deterministically from the seeds, for up to 60 days before the server started and every
day since until yesterday (dates in the account's timezone, by the injectable server clock); rows
above ad level are the sums of their ads (reach is de-duplicated, as Meta's is). Meta restates
recent days: the last 3 days before today depend on a restatement counter, which
POST /_control/restate bumps (or every new query, with the `auto_restate` fault).

Control (not part of Graph's API):
  POST /_control/faults   {"throttle_next": n, "throttle_code": 4|17|613|80000..80014,
                           "regain_minutes": n, "server_error_next": n, "server_error_code": 1|2,
                           "fail_reports_next": n, "deny_dialog_next": n, "expire_tokens": bool,
                           "usage_pct": number, "auto_restate": bool}
                          (all optional; merged into the current)
  GET  /_control/faults   the current faults
  POST /_control/codes    {"redirect_uri": optional} -> {"code"}
  POST /_control/restate  -> {"restatement": n}
  GET  /_control/calls    {"calls": [{method, path, params, status}]}, every Graph call, in order
  POST /_control/reset    forget calls, reports, tokens, codes, faults and restatements

Run as `python -m shared.localstack.graph_api_server --port 8092`.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

SAMPLES = Path(__file__).with_name("graph_samples") / "ad_accounts.json"
SAMPLE_TOKEN_PREFIX = "sample-token"  # noqa: S105
SAMPLE_CODE_PREFIX = "sample-code"
DAYS_OF_DATA = 60
RESTATED_DAYS = 3
SHORT_LIVED = timedelta(hours=2)
LONG_LIVED = timedelta(days=60)
CODE_LIFETIME = timedelta(minutes=10)
DEFAULT_LIMIT = 25
MAX_LIMIT = 5000
ACCESS_TIER = "standard_access"
LEVELS = ("account", "campaign", "adset", "ad")
WINDOWS = ("1d_click", "7d_click", "28d_click", "1d_view", "7d_view", "28d_view")
CLICK_WINDOWS = ("1d_click", "7d_click", "28d_click")
ON_AD_ACTIONS = ("link_click", "landing_page_view", "post_engagement", "video_view")
CONVERSIONS = ("purchase", "offsite_conversion.fb_pixel_purchase")
VIDEO_FIELDS = (
    "video_p25_watched_actions",
    "video_p50_watched_actions",
    "video_p75_watched_actions",
    "video_p100_watched_actions",
)
ID_FIELDS = {
    "campaign": ("campaign_id", "campaign_name"),
    "adset": ("adset_id", "adset_name"),
    "ad": ("ad_id", "ad_name"),
}
INSIGHT_FIELDS = frozenset(
    {
        "account_id", "account_name", "account_currency", "date_start", "date_stop",
        "spend", "impressions", "reach", "frequency", "clicks", "inline_link_clicks",
        "cpm", "ctr", "cpc", "actions", "action_values", *VIDEO_FIELDS,
        *(name for pair in ID_FIELDS.values() for name in pair),
    }
)  # fmt: skip
DEFAULT_INSIGHT_FIELDS = ("impressions", "spend")
WEEKDAY_FACTOR = (0.97, 1.0, 1.01, 0.99, 1.04, 1.12, 1.09)
REACH_OVERLAP = 0.85  # share of the non-largest reach that is new people when combining
# Meta's throttling errors: code -> (HTTP status, subcode, message).
THROTTLES: dict[int, tuple[int, int | None, str]] = {
    4: (400, 1504022, "(#4) Application request limit reached"),
    17: (400, 2446079, "(#17) User request limit reached"),
    613: (
        400,
        1487742,
        "(#613) There have been too many calls from this ad-account. Please wait a bit and "
        "try again.",
    ),
    80000: (
        400,
        2446079,
        "(#80000) There have been too many calls from this ad-account. Wait a bit and try "
        "again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-insights.",
    ),
    80004: (
        400,
        2446079,
        "(#80004) There have been too many calls to this ad-account. Wait a bit and try "
        "again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.",
    ),
}
THROTTLE_CODES = frozenset({4, 17, 613, *range(80000, 80015)})
SERVER_ERRORS: dict[int, tuple[str, bool]] = {
    1: ("An unknown error occurred", False),
    2: ("An unexpected error has occurred. Please retry your request later.", True),
}
JOB_FAILED = "Job Failed"
JOB_COMPLETED = "Job Completed"


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        error_type: str = "OAuthException",
        transient: bool = False,
        regain_minutes: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.subcode = code, message, status, subcode
        self.type, self.transient, self.regain_minutes = error_type, transient, regain_minutes

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["is_transient"] = self.transient
        error["fbtrace_id"] = _trace_id()
        return {"error": error}


def _invalid(message: str, subcode: int | None = None) -> GraphError:
    return GraphError(100, f"(#100) {message}", subcode=subcode)


def _no_such_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        error_type="GraphMethodException",
    )


def _trace_id() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode().rstrip("=")


# ---- the sample objects --------------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    user: dict[str, Any]
    businesses: dict[str, dict[str, Any]]
    accounts: dict[str, dict[str, Any]]
    campaigns: dict[str, dict[str, Any]]
    adsets: dict[str, dict[str, Any]]
    ads: dict[str, dict[str, Any]]

    def kind(self, object_id: str) -> str | None:
        for kind, table in (
            ("account", self.accounts),
            ("campaign", self.campaigns),
            ("adset", self.adsets),
            ("ad", self.ads),
            ("business", self.businesses),
        ):
            if object_id in table:
                return kind
        return None

    def node(self, object_id: str) -> dict[str, Any] | None:
        kind = self.kind(object_id)
        return None if kind is None else self.table(kind)[object_id]

    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        tables = {
            "account": self.accounts,
            "campaign": self.campaigns,
            "adset": self.adsets,
            "ad": self.ads,
            "business": self.businesses,
        }
        return tables[kind]

    def under(self, object_id: str, kind: str) -> list[dict[str, Any]]:
        """The `kind` objects below (or equal to) `object_id`, in sample order."""
        parent_kind = self.kind(object_id)
        if parent_kind is None:
            return []
        key = {"account": "account_id", "campaign": "campaign_id", "adset": "adset_id"}
        if parent_kind == kind:
            return [self.table(kind)[object_id]]
        if parent_kind not in key or LEVELS.index(parent_kind) > LEVELS.index(kind):
            return []
        return [o for o in self.table(kind).values() if o[key[parent_kind]] == object_id]


@cache
def load_catalog(path: Path = SAMPLES) -> Catalog:
    document = json.loads(path.read_text(encoding="utf-8"))
    accounts: dict[str, dict[str, Any]] = {}
    campaigns: dict[str, dict[str, Any]] = {}
    adsets: dict[str, dict[str, Any]] = {}
    ads: dict[str, dict[str, Any]] = {}
    for account in document["ad_accounts"]:
        account_fields = {k: v for k, v in account.items() if k != "campaigns"}
        accounts[account["id"]] = account_fields
        for campaign in account["campaigns"]:
            campaigns[campaign["id"]] = {
                "status": "ACTIVE",
                **{k: v for k, v in campaign.items() if k != "adsets"},
                "account_id": account["id"],
            }
            for adset in campaign["adsets"]:
                adsets[adset["id"]] = {
                    "status": "ACTIVE",
                    **{k: v for k, v in adset.items() if k != "ads"},
                    "account_id": account["id"],
                    "campaign_id": campaign["id"],
                }
                for ad in adset["ads"]:
                    ads[ad["id"]] = {
                        **ad,
                        "account_id": account["id"],
                        "campaign_id": campaign["id"],
                        "adset_id": adset["id"],
                    }
    return Catalog(
        user=document["user"],
        businesses={b["id"]: b for b in document["businesses"]},
        accounts=accounts,
        campaigns=campaigns,
        adsets=adsets,
        ads=ads,
    )


# ---- daily metrics rendered from the seeds -------------------------------------------------


@dataclass
class Metrics:
    """One object's delivery over some days; money in minor units."""

    spend_cents: int = 0
    impressions: int = 0
    reach: int = 0
    clicks: int = 0
    inline_link_clicks: int = 0
    actions: dict[str, dict[str, int]] = field(default_factory=dict)
    action_values: dict[str, dict[str, int]] = field(default_factory=dict)
    video: tuple[int, int, int, int] | None = None


def _unit(*parts: object) -> float:
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


def _restatement(ad_id: str, day: date, days_ago: int, count: int) -> tuple[float, int]:
    """(spend and delivery factor, late purchases) for the `count`th restatement of a recent
    day: within a few percent, the newest day moving most; none for older days."""
    if not count or days_ago > RESTATED_DAYS:
        return 1.0, 0
    sign = 1 if _unit(ad_id, day, "restate-sign", count) >= 0.5 else -1
    size = 0.01 + 0.03 * _unit(ad_id, day, "restate-size", count)
    scale = 1 + sign * size * (RESTATED_DAYS + 1 - days_ago) / RESTATED_DAYS
    return scale, int(3 * _unit(ad_id, day, "restate-late", count))


def ad_day(ad: Mapping[str, Any], day: date, timeline: Timeline) -> Metrics | None:
    """What one ad delivered on one day, or None on a day it did not run. Delivery is anchored
    to the server's start, so a day reads the same as the clock moves on, except that the last
    days change with each restatement."""
    seed = ad["seed"]
    age = (timeline.started - day).days
    days_ago = (timeline.today - day).days
    paused = seed.get("paused_days_ago")
    if days_ago < 1 or age > min(seed["started_days_ago"], DAYS_OF_DATA):
        return None
    if paused is not None and age < paused:
        return None
    scale, late_purchases = _restatement(ad["id"], day, days_ago, timeline.restatement)

    def u(*key: object) -> float:
        return _unit(ad["id"], day.isoformat(), *key)

    wave = 1 + 0.12 * math.sin(2 * math.pi * (day.toordinal() % 28) / 28 + 6 * _unit(ad["id"]))
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
    purchases = round(landing * seed["purchase_rate"] * (0.6 + 0.8 * u("purchase")))
    purchases += late_purchases
    one_day_view = round(purchases * seed["view_through_share"] * (0.7 + 0.6 * u("view")))
    windows = {
        "1d_click": round(purchases * (0.7 + 0.2 * u("1d_click"))),
        "7d_click": purchases,
        "28d_click": purchases + round(purchases * (0.05 + 0.15 * u("28d_click"))),
        "1d_view": one_day_view,
    }
    windows["7d_view"] = one_day_view + round(one_day_view * (0.3 + 0.4 * u("7d_view")))
    windows["28d_view"] = windows["7d_view"] + round(windows["7d_view"] * 0.25)
    order_cents = seed["average_order_value"] * 100 * (0.9 + 0.2 * u("aov"))
    metrics = Metrics(
        spend_cents=spend_cents,
        impressions=impressions,
        reach=reach,
        clicks=clicks,
        inline_link_clicks=link_clicks,
    )
    on_ad = {
        "link_click": link_clicks,
        "landing_page_view": landing,
        "post_engagement": engagement,
        "video_view": video_views,
    }
    for action_type, count in on_ad.items():
        metrics.actions[action_type] = dict.fromkeys(CLICK_WINDOWS, count)
    for action_type in CONVERSIONS:
        metrics.actions[action_type] = dict(windows)
        metrics.action_values[action_type] = {w: round(n * order_cents) for w, n in windows.items()}
    if video_views:
        p25 = round(video_views * (0.55 + 0.1 * u("p25")))
        p50 = round(p25 * (0.55 + 0.1 * u("p50")))
        p75 = round(p50 * (0.6 + 0.1 * u("p75")))
        metrics.video = (p25, p50, p75, round(p75 * (0.65 + 0.1 * u("p100"))))
    return metrics


def combine(parts: Sequence[Metrics]) -> Metrics:
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
        total.reach = largest + round((sum(reaches) - largest) * REACH_OVERLAP)
    return total


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _ratio(numerator: float, denominator: float, digits: int = 6) -> str:
    return str(round(numerator / denominator, digits)) if denominator else "0"


def _action_list(
    table: Mapping[str, Mapping[str, int]], windows: Sequence[str], money: bool
) -> list[dict[str, str]]:
    """Graph's action list: `value` is the default attribution (7-day click + 1-day view),
    plus one key per requested window; actions and windows without a count are left out."""
    render = _money if money else str
    out = []
    for action_type in (*ON_AD_ACTIONS, *CONVERSIONS):
        counts = table.get(action_type)
        if not counts:
            continue
        value = counts.get("7d_click", 0) + counts.get("1d_view", 0)
        if not value:
            continue
        entry = {"action_type": action_type, "value": render(value)}
        entry.update({w: render(counts[w]) for w in windows if counts.get(w)})
        out.append(entry)
    return out


@dataclass(frozen=True)
class InsightsQuery:
    level: str
    fields: tuple[str, ...]
    windows: tuple[str, ...]
    since: date
    until: date
    increment: int | None  # days per row; None for one row over the whole range


def insight_rows(
    catalog: Catalog, object_id: str, query: InsightsQuery, timeline: Timeline
) -> list[dict[str, Any]]:
    """The rows Graph answers for `query` on `object_id`, oldest first, then by object id."""
    ads = catalog.under(object_id, "ad")
    first = max(query.since, timeline.started - timedelta(days=DAYS_OF_DATA))
    last = min(query.until, timeline.today - timedelta(days=1))
    rows = []
    for start, stop in _buckets(query.since, query.until, query.increment):
        days = [
            start + timedelta(days=n)
            for n in range((stop - start).days + 1)
            if first <= start + timedelta(days=n) <= last
        ]
        groups: dict[str, list[Metrics]] = {}
        for ad in ads:
            key = ad["id"] if query.level == "ad" else ad[f"{query.level}_id"]
            for day in days:
                metrics = ad_day(ad, day, timeline)
                if metrics is not None:
                    groups.setdefault(key, []).append(metrics)
        for key in sorted(groups):
            total = combine(groups[key])
            rows.append(_render_row(catalog, key, query, (start, stop), total))
    return rows


def _buckets(since: date, until: date, increment: int | None) -> Iterator[tuple[date, date]]:
    if increment is None:
        yield since, until
        return
    start = since
    while start <= until:
        stop = min(until, start + timedelta(days=increment - 1))
        yield start, stop
        start = stop + timedelta(days=1)


def _render_row(
    catalog: Catalog, key: str, query: InsightsQuery, span: tuple[date, date], total: Metrics
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
    values: dict[str, Any] = {
        **names,
        "spend": _money(total.spend_cents),
        "impressions": str(total.impressions),
        "reach": str(total.reach),
        "frequency": _ratio(total.impressions, total.reach),
        "clicks": str(total.clicks),
        "inline_link_clicks": str(total.inline_link_clicks),
        "cpm": _ratio(total.spend_cents * 10, total.impressions),
        "ctr": _ratio(total.clicks * 100, total.impressions),
        "cpc": _ratio(total.spend_cents / 100, total.clicks),
        "actions": _action_list(total.actions, query.windows, money=False),
        "action_values": _action_list(total.action_values, query.windows, money=True),
    }
    if total.video is not None:
        for name, count in zip(VIDEO_FIELDS, total.video, strict=True):
            if count:
                values[name] = [{"action_type": "video_view", "value": str(count)}]
    row = {name: values[name] for name in query.fields if values.get(name) not in (None, [])}
    row["date_start"], row["date_stop"] = span[0].isoformat(), span[1].isoformat()
    return row


# ---- request parameters --------------------------------------------------------------------


def _params(request: Request) -> dict[str, str]:
    merged = dict(request.args.items())
    merged.update(request.form.items())
    return merged


def _json_or_raw(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _list_param(params: Mapping[str, str], name: str) -> list[str] | None:
    """A list parameter as the SDK sends it (a JSON array) or as people type it (a,b,c)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = _json_or_raw(raw)
    if isinstance(value, list):
        return [str(v) for v in value]
    # Drop nested field syntax like business{id,name}; the stand-in answers whole objects.
    return [re.sub(r"\{.*\}", "", v).strip() for v in re.split(r",(?![^{]*\})", str(raw)) if v]


def _date_param(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _invalid(f"time_range.{name} must be a date like 2026-01-31") from exc


def _date_range(params: Mapping[str, str], today: date) -> tuple[date, date]:
    if params.get("time_range"):
        time_range = _json_or_raw(params["time_range"])
        if not isinstance(time_range, dict) or {"since", "until"} - set(time_range):
            raise _invalid("time_range must be an object with since and until")
        since = _date_param(time_range["since"], "since")
        until = _date_param(time_range["until"], "until")
        if since > until:
            raise _invalid("time_range.since must not be after time_range.until")
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
    raise _invalid(f"date_preset {preset!r} is not supported by the local stand-in")


def _insights_query(params: Mapping[str, str], node_kind: str, today: date) -> InsightsQuery:
    level = params.get("level", node_kind)
    if level not in LEVELS:
        raise _invalid(f"level must be one of the following values: {', '.join(LEVELS)}")
    fields = _list_param(params, "fields") or list(DEFAULT_INSIGHT_FIELDS)
    unknown = [f for f in fields if f not in INSIGHT_FIELDS]
    if unknown:
        raise _invalid(f"fields contains an unknown or unsupported field: {unknown[0]}")
    windows = _list_param(params, "action_attribution_windows") or []
    if params.get("use_account_attribution_setting", "false").lower() == "true":
        windows = []
    bad = [w for w in windows if w not in WINDOWS]
    if bad:
        raise _invalid(
            f"action_attribution_windows[{windows.index(bad[0])}] must be one of the "
            f"following values: {', '.join(WINDOWS)}"
        )
    raw_increment = params.get("time_increment", "all_days")
    if raw_increment == "all_days":
        increment = None
    elif raw_increment.isdigit() and 1 <= int(raw_increment) <= 90:
        increment = int(raw_increment)
    else:
        raise _invalid("time_increment must be all_days or a number of days from 1 to 90")
    since, until = _date_range(params, today)
    return InsightsQuery(level, tuple(fields), tuple(windows), since, until, increment)


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def _position(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(text.removeprefix("pos:"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid("after is not a valid cursor") from exc


# ---- server state --------------------------------------------------------------------------


@dataclass
class Faults:
    throttle_next: int = 0
    throttle_code: int = 80004
    regain_minutes: float = 1.0
    server_error_next: int = 0
    server_error_code: int = 1
    fail_reports_next: int = 0
    deny_dialog_next: int = 0
    expire_tokens: bool = False
    usage_pct: float = 1.0
    auto_restate: bool = False


@dataclass(frozen=True)
class _Call:
    """One Graph request: its parameters (query and form merged) and path."""

    request: Request
    params: dict[str, str]
    version: str | None
    parts: list[str]


@dataclass
class _Report:
    id: str
    account_id: str
    object_id: str
    query: InsightsQuery
    timeline: Timeline
    outcome: str
    created_at: datetime
    polls: int = 0
    status: str = "Job Not Started"
    percent: int = 0
    rows: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class _Token:
    expires_at: datetime | None


class LocalGraphApi:
    """The WSGI app. Thread-safe."""

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_secret: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        polls_to_complete: int = 3,
        samples: Path = SAMPLES,
    ) -> None:
        self._app_id, self._app_secret = app_id, app_secret
        self._clock = clock
        self._polls_to_complete = max(1, polls_to_complete)
        self._catalog = load_catalog(samples)
        self._lock = threading.RLock()
        self._faults = Faults()
        self._calls: list[dict[str, Any]] = []
        self._reports: dict[str, _Report] = {}
        self._tokens: dict[str, _Token] = {}
        self._codes: dict[str, tuple[str | None, datetime]] = {}
        self._restatement = 0
        self._started = clock()

    # -- control, also callable in-process ---------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        with self._lock:
            current = asdict(self._faults)
            for key, value in changes.items():
                if key not in current:
                    raise ValueError(f"unknown fault {key!r}")
                wanted = type(current[key])
                number = isinstance(value, int) and not isinstance(value, bool)
                given = float(value) if wanted is float and number else value
                if type(given) is not wanted or (wanted is not bool and given < 0):
                    raise ValueError(f"{key} must be a non-negative {wanted.__name__}")
                current[key] = given
            if current["throttle_code"] not in THROTTLE_CODES:
                raise ValueError(f"throttle_code must be one of {sorted(THROTTLES)} or 80000-80014")
            if current["server_error_code"] not in SERVER_ERRORS:
                raise ValueError("server_error_code must be 1 or 2")
            self._faults = Faults(**current)
            return Faults(**current)

    def mint_code(self, redirect_uri: str | None = None) -> str:
        code = "AQ" + secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = (redirect_uri, self._clock() + CODE_LIFETIME)
        return code

    def restate(self) -> int:
        with self._lock:
            self._restatement += 1
            return self._restatement

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(c) for c in self._calls]

    def reset(self) -> None:
        with self._lock:
            self._faults = Faults()
            self._calls.clear()
            self._reports.clear()
            self._tokens.clear()
            self._codes.clear()
            self._restatement = 0
            self._started = self._clock()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith("/_control/"):
            response = self._control(request)
        else:
            response = self._graph(request)
        return response(environ, start_response)

    def _control(self, request: Request) -> Response:
        def current_faults() -> Faults:
            with self._lock:
                return self._faults

        def reset() -> dict[str, Any]:
            self.reset()
            return {"reset": True}

        body = request.get_json(silent=True) or {}
        routes: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {
            ("POST", "faults"): lambda: {"faults": asdict(self.set_faults(**body))},
            ("GET", "faults"): lambda: {"faults": asdict(current_faults())},
            ("POST", "codes"): lambda: {"code": self.mint_code(body.get("redirect_uri"))},
            ("POST", "restate"): lambda: {"restatement": self.restate()},
            ("GET", "calls"): lambda: {"calls": self.calls()},
            ("POST", "reset"): reset,
        }
        handler = routes.get((request.method, request.path.removeprefix("/_control/").strip("/")))
        if handler is None:
            return _json(404, {"error": {"message": f"no control endpoint {request.path}"}})
        try:
            return _json(200, handler())
        except (TypeError, ValueError) as exc:
            return _json(400, {"error": {"message": str(exc)}})

    def _graph(self, request: Request) -> Response:
        params = _params(request)
        match = re.fullmatch(r"/(?:(v\d+\.\d+)/)?(.*)", request.path)
        version, rest = (match.group(1), match.group(2)) if match else (None, "")
        parts = [p for p in rest.split("/") if p]
        throttled_for: float | None = None
        redirect: Response | None = None
        try:
            if parts == ["dialog", "oauth"]:  # a browser page on www.facebook.com, not Graph
                redirect = self._dialog(request)
                body, status = {}, redirect.status_code
            else:
                body, status = self._dispatch(_Call(request, params, version, parts)), 200
        except GraphError as exc:
            body, status, throttled_for = exc.body(), exc.status, exc.regain_minutes
        with self._lock:
            self._calls.append(
                {"method": request.method, "path": request.path, "params": params, "status": status}
            )
        if redirect is not None:
            return redirect
        headers = self._usage_headers(parts, throttled_for)
        if version:
            headers["facebook-api-version"] = version
        if status != 200 and body["error"]["code"] == 190:
            headers["WWW-Authenticate"] = 'OAuth "Facebook Platform" "invalid_token"'
        return _json(status, body, headers)

    def _dispatch(self, call: _Call) -> dict[str, Any]:
        parts, method = call.parts, call.request.method
        if parts == ["oauth", "access_token"]:
            self._inject_faults()
            return self._oauth(call.params)
        self._authenticate(call.params)
        self._inject_faults()
        if not parts or len(parts) > 2:
            raise GraphError(2500, f"Unknown path components: /{'/'.join(parts[2:])}")
        node_id = self._catalog.user["id"] if parts[0] == "me" else parts[0]
        edge = parts[1] if len(parts) == 2 else None
        if method not in ("GET", "POST") or (method == "POST" and edge != "insights"):
            raise _no_such_object(node_id, method.lower())
        if edge is None:
            return self._node(node_id, call.params)
        if edge == "insights":
            if method == "POST":
                return self._start_report(node_id, call.params)
            return self._insights(call, node_id)
        return self._edge(call, node_id, edge)

    # -- auth --------------------------------------------------------------------------------

    def _authenticate(self, params: Mapping[str, str]) -> None:
        token = params.get("access_token")
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        self._check_token(token)
        proof = params.get("appsecret_proof")
        if proof is not None and self._app_secret is not None:
            expected = hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256)
            if not hmac.compare_digest(proof, expected.hexdigest()):
                raise GraphError(
                    100,
                    "Invalid appsecret_proof provided in the API argument",
                    error_type="GraphMethodException",
                )

    def _check_token(self, token: str) -> None:
        now = self._clock()
        with self._lock:
            issued = self._tokens.get(token)
            expired_by_fault = self._faults.expire_tokens
        if issued is None and not token.startswith(SAMPLE_TOKEN_PREFIX):
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        expires_at = issued.expires_at if issued else None
        if expired_by_fault or (expires_at is not None and expires_at <= now):
            moment = expires_at if expires_at is not None and expires_at <= now else now
            raise GraphError(
                190,
                "Error validating access token: Session has expired on "
                f"{moment.strftime('%A, %d-%b-%y %H:%M:%S UTC')}. The current time is "
                f"{now.strftime('%A, %d-%b-%y %H:%M:%S UTC')}.",
                subcode=463,
            )

    def _oauth(self, params: Mapping[str, str]) -> dict[str, Any]:
        self._check_app(params.get("client_id"))
        secret = params.get("client_secret")
        if not secret or self._app_secret not in (None, secret):
            raise GraphError(1, "Error validating client secret.")
        now = self._clock()
        if params.get("grant_type") == "fb_exchange_token":
            self._check_token(params.get("fb_exchange_token", ""))
            return self._issue(now, LONG_LIVED)
        code = params.get("code")
        if not code:
            raise _invalid("Missing code or grant_type parameter.")
        if not code.startswith(SAMPLE_CODE_PREFIX):
            with self._lock:
                minted = self._codes.pop(code, None)
            if minted is None:
                raise GraphError(
                    100, "This authorization code has been used or is invalid.", subcode=36009
                )
            redirect_uri, expires_at = minted
            if expires_at <= now:
                raise GraphError(100, "This authorization code has expired.", subcode=36007)
            if redirect_uri is not None and params.get("redirect_uri") != redirect_uri:
                raise GraphError(
                    100,
                    "Error validating verification code. Please make sure your redirect_uri is "
                    "identical to the one you used in the OAuth dialog request",
                    subcode=36008,
                )
        return self._issue(now, SHORT_LIVED)

    def _check_app(self, client_id: str | None) -> None:
        if not client_id or self._app_id not in (None, client_id):
            raise GraphError(101, "Error validating application. Invalid application ID.")

    def _dialog(self, request: Request) -> Response:
        """The OAuth dialog, approved at once by the sample user (or refused, as the
        `deny_dialog_next` fault says): back to redirect_uri with a code, or an error."""
        params = _params(request)
        self._check_app(params.get("client_id"))
        redirect_uri = params.get("redirect_uri", "")
        if not re.match(r"https?://", redirect_uri):
            raise _invalid("redirect_uri must be an absolute http(s) URL", subcode=36008)
        if params.get("response_type", "code") != "code":
            raise _invalid("the local stand-in supports response_type=code only")
        with self._lock:
            denied = self._faults.deny_dialog_next > 0
            self._faults.deny_dialog_next -= int(denied)
        answer = (
            {
                "error": "access_denied",
                "error_code": "200",
                "error_description": "Permissions error",
                "error_reason": "user_denied",
            }
            if denied
            else {"code": self.mint_code(redirect_uri)}
        )
        if "state" in params:
            answer["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        location = f"{redirect_uri}{separator}{urlencode(answer)}#_=_"
        return Response("", status=302, headers={"Location": location})

    def _issue(self, now: datetime, lifetime: timedelta) -> dict[str, Any]:
        token = "EAAL" + secrets.token_urlsafe(64)
        with self._lock:
            self._tokens[token] = _Token(now + lifetime)
        expires_in = int(lifetime.total_seconds())
        return {"access_token": token, "token_type": "bearer", "expires_in": expires_in}

    def _inject_faults(self) -> None:
        with self._lock:
            faults = self._faults
            if faults.throttle_next > 0:
                faults.throttle_next -= 1
                code = faults.throttle_code
                status, subcode, message = THROTTLES.get(
                    code, (400, 2446079, f"(#{code}) There have been too many calls.")
                )
                raise GraphError(
                    code,
                    message,
                    status=status,
                    subcode=subcode,
                    transient=True,
                    regain_minutes=faults.regain_minutes,
                )
            if faults.server_error_next > 0:
                faults.server_error_next -= 1
                message, transient = SERVER_ERRORS[faults.server_error_code]
                raise GraphError(
                    faults.server_error_code,
                    message,
                    status=500,
                    subcode=99 if faults.server_error_code == 1 else None,
                    transient=transient,
                )

    # -- nodes and edges ---------------------------------------------------------------------

    def _node(self, node_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        fields = _list_param(params, "fields")
        if node_id == self._catalog.user["id"]:
            return _pick(self._catalog.user, fields or ["id", "name"])
        with self._lock:
            report = self._reports.get(node_id)
            if report is not None:
                self._advance(report)
                return _pick(_report_json(report), fields)
        obj = self._catalog.node(node_id)
        if obj is None:
            raise _no_such_object(node_id)
        return _pick(_public(obj), fields or ["id", "name"])

    def _edge(self, call: _Call, node_id: str, edge: str) -> dict[str, Any]:
        kinds = {"adaccounts": "account", "campaigns": "campaign", "adsets": "adset", "ads": "ad"}
        kind = self._catalog.kind(node_id)
        if node_id == self._catalog.user["id"] and edge == "adaccounts":
            objects = list(self._catalog.accounts.values())
        elif kind in ("account", "campaign", "adset") and edge in kinds and edge != "adaccounts":
            objects = self._catalog.under(node_id, kinds[edge])
        elif kind is None and node_id != self._catalog.user["id"]:
            raise _no_such_object(node_id)
        else:
            raise GraphError(2500, f"Unknown path components: /{edge}")
        fields = _list_param(call.params, "fields") or ["id"]
        items = [_pick(_public(o), fields) for o in objects]
        page = _page(call, items)
        if call.params.get("summary", "").lower() == "true":
            page["summary"] = {"total_count": len(items)}
        return page

    def _timeline(self, account_id: str) -> Timeline:
        zone = ZoneInfo(self._catalog.accounts[account_id]["timezone_name"])
        with self._lock:
            started, restatement = self._started, self._restatement
        return Timeline(
            started=started.astimezone(zone).date(),
            today=self._clock().astimezone(zone).date(),
            restatement=restatement,
        )

    def _account_of(self, node_id: str) -> str | None:
        obj = self._catalog.node(node_id)
        if obj is None or self._catalog.kind(node_id) == "business":
            return None
        return node_id if node_id in self._catalog.accounts else str(obj["account_id"])

    def _query_for(
        self, node_id: str, params: Mapping[str, str], method: str
    ) -> tuple[str, InsightsQuery, Timeline]:
        account_id = self._account_of(node_id)
        if account_id is None:
            raise _no_such_object(node_id, method)
        kind = self._catalog.kind(node_id) or "account"
        with self._lock:
            if self._faults.auto_restate and "after" not in params:
                self._restatement += 1
        timeline = self._timeline(account_id)
        return account_id, _insights_query(params, kind, timeline.today), timeline

    def _start_report(self, node_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        account_id, query, timeline = self._query_for(node_id, params, "post")
        with self._lock:
            outcome = JOB_COMPLETED
            if self._faults.fail_reports_next > 0:
                self._faults.fail_reports_next -= 1
                outcome = JOB_FAILED
            report = _Report(
                id="6" + "".join(secrets.choice("0123456789") for _ in range(15)),
                account_id=account_id,
                object_id=node_id,
                query=query,
                timeline=timeline,
                outcome=outcome,
                created_at=self._clock(),
            )
            self._reports[report.id] = report
        return {"report_run_id": report.id}

    def _advance(self, report: _Report) -> None:
        """Each read of a report run moves it one step on (call holding the lock)."""
        if report.status in (JOB_COMPLETED, JOB_FAILED):
            return
        report.polls += 1
        if report.polls >= self._polls_to_complete:
            report.status = report.outcome
            report.percent = 100 if report.outcome == JOB_COMPLETED else report.percent
        else:
            report.status = "Job Started" if report.polls == 1 else "Job Running"
            report.percent = int(100 * report.polls / self._polls_to_complete)

    def _insights(self, call: _Call, node_id: str) -> dict[str, Any]:
        with self._lock:
            report = self._reports.get(node_id)
        if report is None:
            _, query, timeline = self._query_for(node_id, call.params, "get")
            return _page(call, insight_rows(self._catalog, node_id, query, timeline))
        with self._lock:
            if report.status == JOB_FAILED:
                raise GraphError(
                    -2, "Generating the report failed. Try again later.", subcode=2490547
                )
            if report.status != JOB_COMPLETED:
                raise _invalid(
                    f"The report run {report.id} is not complete yet ({report.status}); "
                    "read it until async_status is Job Completed"
                )
            if report.rows is None:
                report.rows = insight_rows(
                    self._catalog, report.object_id, report.query, report.timeline
                )
            rows = report.rows
        return _page(call, rows)

    # -- usage headers -----------------------------------------------------------------------

    def _usage_headers(self, parts: Sequence[str], throttled_for: float | None) -> dict[str, str]:
        account_id = self._account_of(parts[0]) if parts else None
        with self._lock:
            pct = self._faults.usage_pct
            report = self._reports.get(parts[0]) if parts else None
        if report is not None:
            account_id = report.account_id
        business = (
            self._catalog.accounts[account_id]["business"]["id"]
            if account_id
            else next(iter(self._catalog.businesses))
        )
        insights = report is not None or "insights" in parts
        full = throttled_for is not None
        regain = throttled_for or 0
        call_pct = 100 if full else pct
        buc = {
            business: [
                {
                    "type": "ads_insights" if insights else "ads_management",
                    "call_count": _number(call_pct),
                    "total_cputime": _number(pct / 2),
                    "total_time": _number(pct / 2),
                    "estimated_time_to_regain_access": _number(regain),
                    "ads_api_access_tier": ACCESS_TIER,
                }
            ]
        }
        account_usage = {
            "acc_id_util_pct": _number(call_pct),
            "reset_time_duration": _number(regain * 60),
            "ads_api_access_tier": ACCESS_TIER,
        }
        throttle = {
            "app_id_util_pct": _number(call_pct),
            "acc_id_util_pct": _number(call_pct),
            "ads_api_access_tier": ACCESS_TIER,
        }
        return {
            "x-business-use-case-usage": json.dumps(buc),
            "x-ad-account-usage": json.dumps(account_usage),
            "x-fb-ads-insights-throttle": json.dumps(throttle),
            "x-fb-trace-id": _trace_id(),
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def _public(obj: Mapping[str, Any]) -> dict[str, Any]:
    """An object as Graph shows it: no seeds; the parent ids without the act_ prefix's twin."""
    out = {k: v for k, v in obj.items() if k != "seed"}
    if "account_id" in out and str(out["account_id"]).startswith("act_"):
        out["account_id"] = str(out["account_id"]).removeprefix("act_")
    if "status" in out:
        out.setdefault("effective_status", out["status"])
    return out


def _pick(obj: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    if fields is None:
        return dict(obj)
    picked = {name: obj[name] for name in fields if name in obj}
    if "id" in obj:
        picked["id"] = obj["id"]
    return picked


def _report_json(report: _Report) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": report.id,
        "account_id": report.account_id.removeprefix("act_"),
        "async_status": report.status,
        "async_percent_completion": report.percent,
        "date_start": report.query.since.isoformat(),
        "date_stop": report.query.until.isoformat(),
        "time_ref": int(report.created_at.timestamp()),
        "is_running": report.status not in (JOB_COMPLETED, JOB_FAILED),
    }
    if report.status == JOB_COMPLETED:
        data["time_completed"] = int(report.created_at.timestamp()) + 1
    if report.status == JOB_FAILED:
        data["error_code"] = -2
        data["error_subcode"] = 2490547
        data["error_message"] = "Generating the report failed. Try again later."
    return data


def _page(call: _Call, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One page of `items`, Graph style: cursors name the first and last item of the page."""
    params = call.params
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or int(raw_limit) < 1:
        raise _invalid("limit must be a positive integer")
    limit = min(int(raw_limit), MAX_LIMIT)
    offset = _position(params["after"]) + 1 if params.get("after") else 0
    page = list(items[offset : offset + limit])
    body: dict[str, Any] = {"data": page}
    if not page:
        return body
    paging: dict[str, Any] = {
        "cursors": {"before": _cursor(offset), "after": _cursor(offset + len(page) - 1)}
    }
    if offset + len(page) < len(items):
        query = {k: v for k, v in call.request.args.items() if k != "after"}
        query.update({"limit": str(limit), "after": paging["cursors"]["after"]})
        path = "/".join(p for p in (call.version, *call.parts) if p)
        paging["next"] = f"{call.request.host_url}{path}?{urlencode(query)}"
    body["paging"] = paging
    return body


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, mimetype="application/json", headers=dict(headers or {})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--app-id", help="the only client_id accepted (default: any)")
    parser.add_argument("--app-secret", help="the only client_secret accepted (default: any)")
    parser.add_argument("--polls-to-complete", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = LocalGraphApi(
        app_id=args.app_id, app_secret=args.app_secret, polls_to_complete=args.polls_to_complete
    )
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
