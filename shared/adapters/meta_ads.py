"""AdsPlatform on the Meta Marketing API (Graph API), through facebook-business 26.x.

    MetaAds(
        app_id=settings.meta_app_id,
        app_secret=settings.meta_app_secret,
        api_version="v21.0",
        graph_url="https://graph.facebook.com",   # or the local stand-in, http://127.0.0.1:8092
    )

Every Graph call goes through the SDK's own `FacebookAdsApi`, one per access token (cached),
whose `FacebookSession.GRAPH` is `graph_url`: the SDK builds each URL as
`{session.GRAPH}/{api_version}/{path}`. The session carries `appsecret_proof` for the token.

The SDK itself retries nothing. This adapter mounts urllib3 retries on the SDK's requests
session for transport errors and for 5xx answers to GETs (never to the POST that starts a
report, which would start it twice); whatever still fails is mapped to the port's errors:
throttling (codes 4, 17, 32, 613, 80000-80014) -> AdsThrottled, an expired, invalid or
unauthorised token (190, 102, 104, 463, 467, 10, 200-299) -> AdsAuthError, Meta failing
(HTTP 5xx, codes 1 and 2, negative codes, `is_transient`) and unreachable -> AdsUnavailable,
an object that does not exist -> shared.errors.NotFound. Any other Graph error (a bad
parameter: a bug on our side) propagates as the SDK's FacebookRequestError.

The three usage headers (x-business-use-case-usage, x-ad-account-usage,
x-fb-ads-insights-throttle) are read from every response, failed ones included, by a response
hook on the session; `last_usage()` is the latest reading.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.adreportrun import AdReportRun
from facebook_business.adobjects.adset import AdSet
from facebook_business.adobjects.campaign import Campaign
from facebook_business.adobjects.user import User
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.errors import NotFound
from shared.ports import AdsAuthError, AdsThrottled, AdsUnavailable, AdsUsage, IssuedToken

logger = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com"
INSIGHT_FIELDS = (
    "account_id", "account_name", "account_currency",
    "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name",
    "date_start", "date_stop",
    "spend", "impressions", "reach", "frequency", "clicks", "inline_link_clicks",
    "actions", "action_values",
    "video_p25_watched_actions", "video_p50_watched_actions",
    "video_p75_watched_actions", "video_p100_watched_actions",
)  # fmt: skip
AD_ACCOUNT_FIELDS = ("id", "name", "currency", "timezone_name", "business")
LEVELS = frozenset({"account", "campaign", "adset", "ad"})
THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
AUTH_CODES = frozenset({10, 102, 104, 190, 463, 467, *range(200, 300)})
AUTH_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
UNAVAILABLE_CODES = frozenset({1, 2})
NOT_FOUND_CODES = frozenset({803})
MIN_THROTTLE_WAIT_SECONDS = 60.0
RETRIED_STATUSES = frozenset({500, 502, 503, 504})
USAGE_HEADERS = (
    "x-business-use-case-usage",
    "x-ad-account-usage",
    "x-fb-ads-insights-throttle",
    "x-app-usage",
)


class MetaAds:
    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        api_version: str = "v21.0",
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
        self._version = api_version
        self._graph_url = graph_url.rstrip("/")
        self._timeout = timeout_seconds
        self._retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            status_forcelist=RETRIED_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=backoff_seconds,
            raise_on_status=False,
        )
        self._page_size = page_size
        self._cached_tokens = cached_tokens
        self._clock = clock
        self._lock = threading.Lock()
        self._apis: OrderedDict[str, Any] = OrderedDict()
        self._usage = AdsUsage(percent_used=0.0, regain_access_seconds=0.0)

    # -- AdsPlatform -------------------------------------------------------------------------

    def exchange_code(self, code: str, redirect_uri: str) -> IssuedToken:
        """Code -> short-lived user token -> long-lived user token (about 60 days)."""
        api = self._api(None)
        credentials = {"client_id": self._app_id, "client_secret": self._app_secret}
        with self._graph("OAuth code exchange", oauth=True):
            short = api.call(
                "GET",
                ("oauth", "access_token"),
                params={**credentials, "redirect_uri": redirect_uri, "code": code},
            ).json()
            long = api.call(
                "GET",
                ("oauth", "access_token"),
                params={
                    **credentials,
                    "grant_type": "fb_exchange_token",
                    "fb_exchange_token": short["access_token"],
                },
            ).json()
        expires_in = long.get("expires_in")
        expires_at = self._clock() + timedelta(seconds=float(expires_in)) if expires_in else None
        return IssuedToken(access_token=str(long["access_token"]), expires_at=expires_at)

    def ad_accounts(self, token: str) -> list[dict[str, Any]]:
        me = User(fbid="me", api=self._api(token))
        with self._graph("ad accounts"):
            accounts = [
                a.export_all_data()
                for a in me.get_ad_accounts(
                    fields=list(AD_ACCOUNT_FIELDS), params={"limit": self._page_size}
                )
            ]
        return [{name: account.get(name) for name in AD_ACCOUNT_FIELDS} for account in accounts]

    def children(self, token: str, object_id: str, level: str) -> list[str]:
        """`level` is the children's: an account's "campaign"s, "adset"s or "ad"s, a
        campaign's "adset"s or "ad"s, an ad set's "ad"s."""
        api = self._api(token)
        params = {"limit": self._page_size}
        with self._graph(f"{level} children of {object_id}"):
            if object_id.startswith("act_"):
                account = AdAccount(fbid=object_id, api=api)
                edges = {
                    "campaign": account.get_campaigns,
                    "adset": account.get_ad_sets,
                    "ad": account.get_ads,
                }
            else:
                edges = {
                    "adset": Campaign(fbid=object_id, api=api).get_ad_sets,
                    "ad": AdSet(fbid=object_id, api=api).get_ads,  # /{campaign or ad set}/ads
                }
            if level not in edges:
                raise ValueError(f"{object_id} has no children at level {level!r}")
            return [str(child["id"]) for child in edges[level](fields=["id"], params=params)]

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
        """Daily rows (time_increment=1) at `level`, attributed by exactly the given windows
        (not the account's attribution setting)."""
        if level not in LEVELS:
            raise ValueError(f"level must be one of {sorted(LEVELS)}, not {level!r}")
        params: dict[str, Any] = {
            "level": level,
            "fields": list(INSIGHT_FIELDS),
            "time_range": {"since": since.isoformat(), "until": until.isoformat()},
            "time_increment": "1",
            "action_attribution_windows": list(attribution_windows),
            "use_account_attribution_setting": False,
        }
        api = self._api(token)
        node = (
            AdAccount(fbid=object_id, api=api)
            if object_id.startswith("act_")
            else Campaign(fbid=object_id, api=api)  # POST /{id}/insights: any campaign, ad set, ad
        )
        with self._graph(f"start insights report on {object_id}"):
            run = node.get_insights(params=params, is_async=True)
        report_id = run.get(AdReportRun.Field.id)
        if not report_id:
            raise AdsUnavailable(f"Meta started no report on {object_id}: {run.export_all_data()}")
        return str(report_id)

    def report_status(self, token: str, report_id: str) -> tuple[str, int]:
        run = AdReportRun(fbid=report_id, api=self._api(token))
        with self._graph(f"report run {report_id}"):
            run.api_get(
                fields=[AdReportRun.Field.async_status, AdReportRun.Field.async_percent_completion]
            )
        return (
            str(run.get(AdReportRun.Field.async_status)),
            int(run.get(AdReportRun.Field.async_percent_completion) or 0),
        )

    def report_rows(self, token: str, report_id: str) -> Iterator[dict[str, Any]]:
        run = AdReportRun(fbid=report_id, api=self._api(token))
        with self._graph(f"rows of report run {report_id}"):
            for row in run.get_insights(params={"limit": self._page_size}):
                yield row.export_all_data()

    def last_usage(self) -> AdsUsage:
        with self._lock:
            return self._usage

    # -- the SDK's API objects, one per token ------------------------------------------------

    def _api(self, token: str | None) -> Any:
        key = token or ""
        with self._lock:
            api = self._apis.get(key)
            if api is not None:
                self._apis.move_to_end(key)
                return api
        session = FacebookSession(
            app_id=self._app_id,
            # The proof is HMAC(app secret, token); app-level calls carry no token to prove.
            app_secret=self._app_secret if token else None,
            access_token=token,
            timeout=self._timeout,
        )
        session.GRAPH = self._graph_url
        retrying = HTTPAdapter(max_retries=self._retry)
        session.requests.mount("https://", retrying)
        session.requests.mount("http://", retrying)
        session.requests.hooks["response"].append(self._observe)
        api = FacebookAdsApi(session, api_version=self._version)
        with self._lock:
            self._apis[key] = api
            while len(self._apis) > self._cached_tokens:
                self._apis.popitem(last=False)
        return api

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: note the usage headers; refuse a 5xx body that is not Graph's JSON,
        which the SDK would otherwise take for a success."""
        usage = usage_from_headers(response.headers)
        if usage is not None:
            with self._lock:
                self._usage = usage
        if response.status_code >= 500 and not _is_graph_error(response):
            raise requests.HTTPError(
                f"{response.status_code} from {response.url}", response=response
            )

    @contextmanager
    def _graph(self, what: str, *, oauth: bool = False) -> Iterator[None]:
        try:
            yield
        except FacebookRequestError as exc:
            raise translate(exc, what, oauth=oauth) from exc
        except requests.RequestException as exc:
            raise AdsUnavailable(f"{what}: {exc}") from exc


def translate(exc: FacebookRequestError, what: str, *, oauth: bool = False) -> Exception:
    """The port's error for a Graph error (or the SDK's own, for a bad request)."""
    code = exc.api_error_code()
    subcode = exc.api_error_subcode()
    status = exc.http_status() or 0
    message = f"{what}: Graph error {code}/{subcode} (HTTP {status}): {exc.api_error_message()}"
    if code in THROTTLE_CODES:
        usage = usage_from_headers(exc.http_headers() or {})
        regain = usage.regain_access_seconds if usage is not None else 0.0
        return AdsThrottled(message, wait_seconds=regain or MIN_THROTTLE_WAIT_SECONDS)
    if status >= 500 or (code in UNAVAILABLE_CODES and not oauth):
        return AdsUnavailable(message)
    if (isinstance(code, int) and code < 0) or exc.api_transient_error():
        return AdsUnavailable(message)
    if oauth or code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return AdsAuthError(message)
    if code in NOT_FOUND_CODES or (code == 100 and subcode == 33):
        return NotFound(message)
    unmapped: Exception = exc
    return unmapped


def usage_from_headers(headers: Mapping[str, str]) -> AdsUsage | None:
    """The highest percentage any usage header reports (capped at 100) and the longest wait
    announced: estimated_time_to_regain_access (minutes), or an exhausted ad account's
    reset_time_duration (seconds). None when the response carries no usage header."""
    lowered = {k.lower(): v for k, v in headers.items()}
    parsed = {name: _json_header(lowered.get(name)) for name in USAGE_HEADERS}
    if all(value is None for value in parsed.values()):
        return None
    percents: list[float] = []
    waits: list[float] = []
    business = parsed["x-business-use-case-usage"]
    if isinstance(business, dict):
        for entries in business.values():
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict):
                    percents += _numbers(entry, "call_count", "total_cputime", "total_time")
                    waits += [m * 60 for m in _numbers(entry, "estimated_time_to_regain_access")]
    account = parsed["x-ad-account-usage"]
    if isinstance(account, dict):
        account_pct = _numbers(account, "acc_id_util_pct")
        percents += account_pct
        if any(p >= 100 for p in account_pct):
            waits += _numbers(account, "reset_time_duration")
    for name, keys in (
        ("x-fb-ads-insights-throttle", ("app_id_util_pct", "acc_id_util_pct")),
        ("x-app-usage", ("call_count", "total_cputime", "total_time")),
    ):
        value = parsed[name]
        if isinstance(value, dict):
            percents += _numbers(value, *keys)
    return AdsUsage(
        percent_used=min(max(percents, default=0.0), 100.0),
        regain_access_seconds=max(waits, default=0.0),
    )


def _json_header(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        logger.warning("ignoring a usage header that is not JSON: %.200s", raw)
        return None


def _numbers(obj: Mapping[str, Any], *keys: str) -> list[float]:
    out = []
    for key in keys:
        value = obj.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
        elif isinstance(value, str):
            try:
                out.append(float(value))
            except ValueError:
                continue
    return out


def _is_graph_error(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)
