"""How MetaAds talks to the Graph API: the facebook-business SDK's own `FacebookAdsApi`, one per
access token (cached, least recently used dropped), whose `FacebookSession.GRAPH` is
`graph_url`: the SDK builds each URL as `{session.GRAPH}/{api_version}/{path}`. The session
carries `appsecret_proof` for the token.

The SDK itself retries nothing. Each session gets urllib3 retries mounted on its requests
session for transport errors and for 5xx answers to GETs (never to the POST that starts a
report, which would start it twice); whatever still fails becomes one of the port's errors
(meta_errors.translate: Meta's code, subcode and message kept, no SDK exception escapes).

The three usage headers (x-business-use-case-usage, x-ad-account-usage,
x-fb-ads-insights-throttle) are read from every response, failed ones included, by a response
hook on the session (meta_errors.usage_from_headers); `last_usage()` is the latest reading.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError
from facebook_business.session import FacebookSession
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from shared.adapters.meta_errors import is_graph_error, translate, usage_from_headers
from shared.adapters.redaction import guard_transport_logs, redact
from shared.ports import AdsUnavailable, AdsUsage

GRAPH_URL = "https://graph.facebook.com"
RETRIED_STATUSES = frozenset({500, 502, 503, 504})


class GraphSessions:
    """The SDK's API objects, one per token, and the one place a Graph failure is turned into
    the port's error."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        api_version: str,
        graph_url: str,
        timeout_seconds: float,
        max_retries: int,
        backoff_seconds: float,
        cached_tokens: int,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self.version = api_version
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
        self._cached_tokens = cached_tokens
        self._lock = threading.Lock()
        self._apis: OrderedDict[str, Any] = OrderedDict()
        self._usage = AdsUsage(percent_used=0.0, regain_access_seconds=0.0)
        guard_transport_logs()

    def api(self, token: str | None) -> Any:
        """The SDK's API object for `token`; None for app-level calls (OAuth, debug_token)."""
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
        api = FacebookAdsApi(session, api_version=self.version)
        with self._lock:
            self._apis[key] = api
            while len(self._apis) > self._cached_tokens:
                self._apis.popitem(last=False)
        return api

    def last_usage(self) -> AdsUsage:
        with self._lock:
            return self._usage

    @contextmanager
    def errors(self, what: str, *handled: str, oauth: bool = False) -> Iterator[None]:
        """The port's error for whatever the SDK or the transport raised, its text scrubbed of
        the app secret, `handled` (codes, tokens) and every credential parameter, and raised
        `from None`: the SDK's exception quotes the call's params and URL, and a chained
        traceback would print them."""
        secrets = (self._app_secret, *handled)
        try:
            yield
        except FacebookRequestError as exc:
            raise translate(exc, what, oauth=oauth, secrets=secrets) from None
        except requests.RequestException as exc:
            raise AdsUnavailable(redact(f"{what}: {exc}", *secrets)) from None

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: note the usage headers; refuse a 5xx body that is not Graph's JSON,
        which the SDK would otherwise take for a success."""
        usage = usage_from_headers(response.headers)
        if usage is not None:
            with self._lock:
                self._usage = usage
        if response.status_code >= 500 and not is_graph_error(response):
            where = urlsplit(response.url)._replace(query="", fragment="").geturl()
            raise requests.HTTPError(
                f"HTTP {response.status_code} (not Graph JSON) from {where}", response=response
            )
