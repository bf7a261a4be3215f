"""Graph errors and usage headers, as the AdsPlatform port names them.

`translate` maps a Graph error to the port's: throttling (codes 4, 17, 32, 613, 80000-80014)
-> AdsThrottled with the wait Meta announces, Meta failing (HTTP 5xx, codes 1 and 2, negative
codes, `is_transient`) -> AdsUnavailable, an expired, invalid or unauthorised token (190, 102,
104, 463, 467, 10, 200-299) -> AdsAuthError, an object that does not exist -> NotFound, too
much data per call (100/1487534) -> AdsTooMuchData, and any other code -> AdsRequestFailed:
each message carries Meta's code, subcode and text, and no SDK exception escapes the adapter.

No text of a Graph call reaches an error unscrubbed: see shared/adapters/redaction.py.

`usage_from_headers` reads x-business-use-case-usage, x-ad-account-usage,
x-fb-ads-insights-throttle and x-app-usage, on failed responses too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import requests
from facebook_business.exceptions import FacebookRequestError

from shared.adapters.redaction import redact
from shared.errors import NotFound
from shared.ports import (
    AdsAuthError,
    AdsRequestFailed,
    AdsThrottled,
    AdsTooMuchData,
    AdsUnavailable,
    AdsUsage,
)

logger = logging.getLogger(__name__)

THROTTLE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
AUTH_CODES = frozenset({10, 102, 104, 190, 463, 467, *range(200, 300)})
AUTH_SUBCODES = frozenset({458, 459, 460, 463, 464, 467, 492})
UNAVAILABLE_CODES = frozenset({1, 2})
NOT_FOUND_CODES = frozenset({803})
TOO_MUCH_DATA = (100, 1487534)
MIN_THROTTLE_WAIT_SECONDS = 60.0
MIN_PAGE_SIZE = 25
USAGE_HEADERS = (
    "x-business-use-case-usage",
    "x-ad-account-usage",
    "x-fb-ads-insights-throttle",
    "x-app-usage",
)


def translate(
    exc: FacebookRequestError, what: str, *, oauth: bool = False, secrets: Sequence[str] = ()
) -> Exception:
    """The port's error for a Graph error, Meta's code, subcode and message in its text, which
    is scrubbed of `secrets` and of every credential parameter (redaction.redact): Meta's
    message may quote what it was sent."""
    code = exc.api_error_code()
    subcode = exc.api_error_subcode()
    status = exc.http_status() or 0
    message = redact(
        f"{what}: Graph error {code}/{subcode} (HTTP {status}): {exc.api_error_message()}",
        *secrets,
    )
    if code in THROTTLE_CODES:
        usage = usage_from_headers(exc.http_headers() or {})
        regain = usage.regain_access_seconds if usage is not None else 0.0
        return AdsThrottled(message, wait_seconds=regain or MIN_THROTTLE_WAIT_SECONDS)
    failing = (
        status >= 500
        or (code in UNAVAILABLE_CODES and not oauth)
        or (isinstance(code, int) and code < 0)
        or bool(exc.api_transient_error())
    )
    if failing and not too_much_data(exc):
        return AdsUnavailable(message)
    if oauth or code in AUTH_CODES or subcode in AUTH_SUBCODES:
        return AdsAuthError(message)
    if code in NOT_FOUND_CODES or (code == 100 and subcode == 33):
        return NotFound(message)
    kind = AdsTooMuchData if too_much_data(exc) else AdsRequestFailed
    return kind(message)


def too_much_data(exc: FacebookRequestError) -> bool:
    return (exc.api_error_code(), exc.api_error_subcode()) == TOO_MUCH_DATA


def smaller_page(exc: FacebookRequestError, limit: int, what: str) -> int:
    """The page size to ask again with when Meta wants less data per call; `exc` again when
    that is not what Meta said, or the pages are already as small as they go."""
    if not too_much_data(exc) or limit <= MIN_PAGE_SIZE:
        raise exc
    smaller = max(limit // 2, MIN_PAGE_SIZE)
    logger.info("%s: Meta asks for less data; pages of %d", what, smaller)
    return smaller


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


def is_graph_error(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)
