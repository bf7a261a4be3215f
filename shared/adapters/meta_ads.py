"""AdsPlatform on the Meta Marketing API (Graph API), through facebook-business 26.x.

    MetaAds(
        app_id=settings.meta_app_id,
        app_secret=settings.meta_app_secret,
        api_version=GRAPH_API_VERSION,   # the pinned SDK's (meta_objects.py), the default
        graph_url="https://graph.facebook.com",   # or the local stand-in, http://127.0.0.1:8092
    )

Every Graph call goes through the SDK's own `FacebookAdsApi`, one per access token, with
retries, the usage headers read and every failure turned into one of the port's errors: that
transport is meta_graph.GraphSessions; this module is what is asked of it.

Insights are asked for objects of every effective status (`filtering` on
`{level}.effective_status`): without it Meta leaves out archived and deleted campaigns, ad
sets and ads, and their late conversions with them. For the same reason the children of an
object come from a small insights query (ids only), not from the /campaigns, /adsets and /ads
edges. Reading a report's rows, a "too much data" answer halves the page size and goes on
from the same cursor, down to MIN_PAGE_SIZE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User
from facebook_business.exceptions import FacebookRequestError

from shared.adapters.meta_errors import smaller_page
from shared.adapters.meta_graph import GRAPH_URL, GraphSessions
from shared.adapters.meta_objects import (
    GRAPH_API_VERSION,
    breakdown_insights,
    object_rows,
    token_info,
)
from shared.ports import (
    AdsTooMuchData,
    AdsUnavailable,
    AdsUsage,
    IssuedToken,
    ReportProgress,
    TokenInfo,
)

INSIGHT_FIELDS = (
    "account_id", "account_name", "account_currency",
    "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name", "objective",
    "date_start", "date_stop",
    "spend", "impressions", "reach", "frequency", "clicks", "inline_link_clicks",
    "actions", "action_values",
    "video_p25_watched_actions", "video_p50_watched_actions",
    "video_p75_watched_actions", "video_p100_watched_actions",
)  # fmt: skip
RANGE_SKIPPED_FIELDS = frozenset({"actions", "action_values"})
"""A range row is read for its de-duplicated reach; conversions come from the daily rows."""
AD_ACCOUNT_FIELDS = ("id", "name", "currency", "timezone_name", "business")
LEAD_FIELDS = (
    "id", "created_time", "ad_id", "adset_id", "campaign_id", "form_id", "field_data",
    "is_organic", "platform",
)  # fmt: skip
REPORT_FIELDS = (
    AdReportRun.Field.async_status,
    AdReportRun.Field.async_percent_completion,
    "error_code",
    "error_subcode",
    "error_message",
)
INSIGHT_LEVELS = ("account", "campaign", "adset", "ad")
# Every effective status Meta documents per level, ARCHIVED and DELETED included.
EFFECTIVE_STATUSES = {
    "campaign": ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "IN_PROCESS", "WITH_ISSUES"),
    "adset": (
        "ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "CAMPAIGN_PAUSED", "IN_PROCESS",
        "WITH_ISSUES",
    ),
    "ad": (
        "ACTIVE", "PAUSED", "DELETED", "ARCHIVED", "PENDING_REVIEW", "DISAPPROVED",
        "PREAPPROVED", "PENDING_BILLING_INFO", "CAMPAIGN_PAUSED", "ADSET_PAUSED",
        "IN_PROCESS", "WITH_ISSUES",
    ),
}  # fmt: skip


class MetaAds:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        api_version: str = GRAPH_API_VERSION,
        graph_url: str = GRAPH_URL,
        timeout_seconds: float = 60.0,
        max_retries: int = 3,
        backoff_seconds: float = 0.5,
        page_size: int = 500,
        cached_tokens: int = 64,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`max_retries` and `backoff_seconds` (doubling) apply to transport errors and to 5xx
        answers to GETs; `page_size` is the `limit` of every paged read."""
        self._app_id = app_id
        self._app_secret = app_secret
        self._graph = GraphSessions(
            app_id,
            app_secret,
            api_version=api_version,
            graph_url=graph_url,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            backoff_seconds=backoff_seconds,
            cached_tokens=cached_tokens,
        )
        self._page_size = page_size
        self._clock = clock

    # -- AdsPlatform -------------------------------------------------------------------------

    def exchange_code(self, code: str, redirect_uri: str) -> IssuedToken:
        """Code -> short-lived user token -> long-lived user token (about 60 days).

        Both exchanges are POSTs with form parameters (Graph accepts them there), so the app
        secret, the code and the short-lived token sit in no URL: no proxy or transport log
        records them, and an error's text is scrubbed of them too (`GraphSessions.errors`)."""
        api = self._graph.api(None)
        credentials = {"client_id": self._app_id, "client_secret": self._app_secret}
        with self._graph.errors("OAuth code exchange", code, oauth=True):
            short = api.call(
                "POST",
                ("oauth", "access_token"),
                params={**credentials, "redirect_uri": redirect_uri, "code": code},
            ).json()
            short_token = str(short["access_token"])
            with self._graph.errors("OAuth token extension", short_token, oauth=True):
                long = api.call(
                    "POST",
                    ("oauth", "access_token"),
                    params={
                        **credentials,
                        "grant_type": "fb_exchange_token",
                        "fb_exchange_token": short_token,
                    },
                ).json()
        expires_in = long.get("expires_in")
        expires_at = self._clock() + timedelta(seconds=float(expires_in)) if expires_in else None
        return IssuedToken(access_token=str(long["access_token"]), expires_at=expires_at)

    def ad_accounts(self, token: str) -> list[dict[str, Any]]:
        me = User(fbid="me", api=self._graph.api(token))
        with self._graph.errors("ad accounts"):
            accounts = [
                a.export_all_data()
                for a in me.get_ad_accounts(
                    fields=list(AD_ACCOUNT_FIELDS), params={"limit": self._page_size}
                )
            ]
        return [{name: account.get(name) for name in AD_ACCOUNT_FIELDS} for account in accounts]

    def children(
        self, token: str, object_id: str, level: str, *, since: date, until: date
    ) -> list[str]:
        """One synchronous insights query for the ids alone: every object at `level` that
        delivered in the window, whatever its status. When Meta finds even that too much, the
        window is asked for in halves (the union of their ids is the same set)."""
        if level not in EFFECTIVE_STATUSES:
            raise ValueError(f"children are campaigns, ad sets or ads, not {level!r}")
        id_field = f"{level}_id"
        params: dict[str, Any] = {
            "level": level,
            "fields": [id_field],
            "time_range": {"since": since.isoformat(), "until": until.isoformat()},
            "filtering": _every_status(level),
            "limit": self._page_size,
        }
        try:
            with self._graph.errors(f"{level} ids under {object_id}"):
                rows = self._node(token, object_id).get_insights(params=params)
                ids = [str(row[id_field]) for row in rows]
        except AdsTooMuchData:
            if since >= until:
                raise
            middle = since + (until - since) // 2
            first = self.children(token, object_id, level, since=since, until=middle)
            rest = self.children(
                token, object_id, level, since=middle + timedelta(days=1), until=until
            )
            ids = [*first, *rest]
        return list(dict.fromkeys(ids))

    def start_report(
        self,
        token: str,
        object_id: str,
        *,
        level: str,
        since: date,
        until: date,
        attribution_windows: Sequence[str],
    ) -> str:
        """Daily rows (time_increment=1) at `level`, of objects of every effective status:
        each action's `value` under its ad set's attribution setting (what Ads Manager shows,
        use_unified_attribution_setting), and one key per given window."""
        if level not in INSIGHT_LEVELS:
            raise ValueError(f"level must be one of {INSIGHT_LEVELS}, not {level!r}")
        params: dict[str, Any] = {
            "level": level,
            "fields": list(INSIGHT_FIELDS),
            "time_range": {"since": since.isoformat(), "until": until.isoformat()},
            "time_increment": "1",
            "action_attribution_windows": list(attribution_windows),
            "use_unified_attribution_setting": True,
            "filtering": _every_status(level),
        }
        with self._graph.errors(f"start insights report on {object_id}"):
            run = self._node(token, object_id).get_insights(params=params, is_async=True)
        report_id = run.get(AdReportRun.Field.id)
        if not report_id:
            raise AdsUnavailable(f"Meta started no report on {object_id}: {run.export_all_data()}")
        return str(report_id)

    def report_status(self, token: str, report_id: str) -> ReportProgress:
        run = AdReportRun(fbid=report_id, api=self._graph.api(token))
        with self._graph.errors(f"report run {report_id}"):
            run.api_get(fields=[*REPORT_FIELDS])
        data = run.export_all_data()
        error = (
            f"report run {report_id}: Graph error {data.get('error_code')}/"
            f"{data.get('error_subcode')}: {data.get('error_message')}"
            if data.get("error_message") or data.get("error_code")
            else None
        )
        return ReportProgress(
            status=str(data.get("async_status")),
            percent=int(data.get("async_percent_completion") or 0),
            error=error,
        )

    def report_rows(self, token: str, report_id: str) -> list[dict[str, Any]]:
        run = AdReportRun(fbid=report_id, api=self._graph.api(token))
        what = f"rows of report run {report_id}"
        rows: list[dict[str, Any]] = []
        limit = self._page_size
        with self._graph.errors(what):
            while True:  # the SDK reads the first page as it makes the cursor
                try:
                    cursor = run.get_insights(params={"limit": limit})
                    break
                except FacebookRequestError as exc:
                    limit = smaller_page(exc, limit, what)
            while True:
                try:
                    for row in cursor:  # a Cursor goes on from where it stopped
                        rows.append(row.export_all_data())
                    return rows
                except FacebookRequestError as exc:
                    # The cursor keeps the `after` of the last page read: the same place again.
                    cursor.params["limit"] = smaller_page(exc, int(cursor.params["limit"]), what)

    # -- tokens, object settings and breakdowns (shared/adapters/meta_objects.py) -------------

    @property
    def api_version(self) -> str:
        return str(self._graph.version)

    def debug_token(self, token: str) -> TokenInfo:
        with self._graph.errors("debug_token", token):
            return token_info(self._graph.api(None), token, f"{self._app_id}|{self._app_secret}")

    def objects(self, token: str, account_object_id: str, level: str) -> list[dict[str, Any]]:
        with self._graph.errors(f"{level} settings of {account_object_id}"):
            return object_rows(
                self._graph.api(token),
                account_object_id,
                level,
                statuses=EFFECTIVE_STATUSES[level],
                page_size=self._page_size,
            )

    def breakdown_rows(
        self,
        token: str,
        account_object_id: str,
        *,
        level: str,
        breakdowns: Sequence[str],
        since: date,
        until: date,
        attribution_windows: Sequence[str],
    ) -> Iterator[dict[str, Any]]:
        with self._graph.errors(
            f"{level} insights of {account_object_id} by {','.join(breakdowns)}"
        ):
            yield from breakdown_insights(
                self._graph.api(token),
                account_object_id,
                level=level,
                breakdowns=breakdowns,
                since=since,
                until=until,
                attribution_windows=attribution_windows,
                filtering=_every_status(level),
                page_size=self._page_size,
            )

    def range_rows(
        self, token: str, account_object_id: str, *, level: str, since: date, until: date
    ) -> Iterator[dict[str, Any]]:
        """One synchronous insights query, time_increment all_days: one row per object at
        `level` over the whole range, reach and frequency de-duplicated by Meta."""
        params: dict[str, Any] = {
            "level": level,
            "time_range": {"since": since.isoformat(), "until": until.isoformat()},
            "time_increment": "all_days",
            "filtering": _every_status(level),
            "limit": self._page_size,
        }
        fields = [f for f in INSIGHT_FIELDS if f not in RANGE_SKIPPED_FIELDS]
        with self._graph.errors(f"{level} range insights of {account_object_id}"):
            for row in self._node(token, account_object_id).get_insights(
                fields=fields, params=params
            ):
                yield row.export_all_data()

    def lead(self, token: str, lead_id: str) -> dict[str, Any]:
        """A plain node read (the SDK's Lead object adds nothing here but its field names)."""
        with self._graph.errors(f"lead {lead_id}"):
            answer = self._graph.api(token).call(
                "GET", (lead_id,), params={"fields": ",".join(LEAD_FIELDS)}
            )
            return dict(answer.json())

    def last_usage(self) -> AdsUsage:
        return self._graph.last_usage()

    def _node(self, token: str, object_id: str) -> Any:
        """The object whose /insights edge is asked: an ad account, or any campaign, ad set or
        ad (the SDK's Campaign builds the same /{id}/insights path for each)."""
        api = self._graph.api(token)
        if object_id.startswith("act_"):
            return AdAccount(fbid=object_id, api=api)
        return Campaign(fbid=object_id, api=api)


def _every_status(level: str) -> list[dict[str, Any]]:
    """The `filtering` that keeps objects of every status in; account rows filter on their
    ads (every ad of every status is every delivery)."""
    on = level if level in EFFECTIVE_STATUSES else "ad"
    return [
        {"field": f"{on}.effective_status", "operator": "IN", "value": [*EFFECTIVE_STATUSES[on]]}
    ]
