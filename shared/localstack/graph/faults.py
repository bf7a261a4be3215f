"""The faults a test can inject, as Meta produces them: throttles with their codes and
regain times, server errors (codes 1 and 2, an undocumented code, a gateway's HTML page, which
may quote the request URL), "reduce the amount of data" on large requests, failed reports (at
one level or any), stuck reports, a refused login dialog, tokens that expire at once or after
some calls, a usage level in the headers and restatements on every query. Counters count
down as they fire."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

from shared.localstack.graph.wire import GraphError

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
GATEWAY_STATUSES = frozenset({500, 502, 503, 504})
TOO_MUCH_DATA_SUBCODE = 1487534
TOO_MUCH_DATA_MESSAGE = (
    "Please reduce the amount of data you're asking for, then retry your request"
)
REPORT_LEVELS = ("", "account", "campaign", "adset", "ad")


@dataclass
class Faults:
    throttle_next: int = 0
    throttle_code: int = 80004
    regain_minutes: float = 1.0
    server_error_next: int = 0
    server_error_code: int = 1
    unknown_error_next: int = 0
    unknown_error_code: int = 1357046
    gateway_error_next: int = 0
    gateway_status: int = 502
    gateway_echoes_request: bool = False
    too_much_data_over: int = 0
    fail_reports_next: int = 0
    fail_reports_level: str = ""
    stuck_reports_next: int = 0
    deny_dialog_next: int = 0
    expire_tokens: bool = False
    expire_tokens_after: int = 0
    usage_pct: float = 1.0
    auto_restate: bool = False


class GatewayError(Exception):
    """Answer with a proxy's HTML error page, not Graph JSON (Meta's edge does this on 5xx).
    With `echoes_request` the page quotes the request line, query string included, as many
    proxies' error pages do: a client that put a secret in the URL, or that repeats the page
    in its own errors, then leaks it."""

    def __init__(self, status: int, *, echoes_request: bool = False) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.echoes_request = echoes_request


def _validated(faults: Faults, changes: dict[str, Any]) -> Faults:
    current = asdict(faults)
    for key, value in changes.items():
        if key not in current:
            raise ValueError(f"unknown fault {key!r}")
        wanted = type(current[key])
        is_number = isinstance(value, int) and not isinstance(value, bool)
        given = float(value) if wanted is float and is_number else value
        if type(given) is not wanted or (wanted in (int, float) and given < 0):
            raise ValueError(f"{key} must be a non-negative {wanted.__name__}")
        current[key] = given
    if current["throttle_code"] not in THROTTLE_CODES:
        raise ValueError(f"throttle_code must be one of {sorted(THROTTLES)} or 80000-80014")
    if current["server_error_code"] not in SERVER_ERRORS:
        raise ValueError("server_error_code must be 1 or 2")
    if current["gateway_status"] not in GATEWAY_STATUSES:
        raise ValueError(f"gateway_status must be one of {sorted(GATEWAY_STATUSES)}")
    if current["fail_reports_level"] not in REPORT_LEVELS:
        raise ValueError("fail_reports_level must be account, campaign, adset, ad or empty")
    return Faults(**current)


class FaultBox:
    """The current faults, shared by the server's parts. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults = Faults()

    def current(self) -> Faults:
        with self._lock:
            return Faults(**asdict(self._faults))

    def merge(self, **changes: Any) -> Faults:
        with self._lock:
            self._faults = _validated(self._faults, changes)
            return Faults(**asdict(self._faults))

    def clear(self) -> None:
        with self._lock:
            self._faults = Faults()

    def take(self, counter: str) -> bool:
        """Whether the counting-down fault `counter` fires now (and count it down if so)."""
        with self._lock:
            left = getattr(self._faults, counter)
            if left > 0:
                setattr(self._faults, counter, left - 1)
            return bool(left > 0)

    def fail_report(self, level: str) -> bool:
        """Whether a report started at `level` is to fail (counting `fail_reports_next` down
        only for reports at `fail_reports_level`, when one is set)."""
        with self._lock:
            wanted = self._faults.fail_reports_level
            if self._faults.fail_reports_next < 1 or wanted not in ("", level):
                return False
            self._faults.fail_reports_next -= 1
            return True

    def count_authenticated_call(self) -> None:
        """One more call with a good token: `expire_tokens_after` counts down, and when it
        reaches 0 every token expires from the next call on (a token dying mid-sync)."""
        with self._lock:
            if self._faults.expire_tokens_after > 0:
                self._faults.expire_tokens_after -= 1
                if self._faults.expire_tokens_after == 0:
                    self._faults.expire_tokens = True

    def check_size(self, cells: int) -> None:
        """Refuse an insights request spanning more than `too_much_data_over` object-days."""
        limit = self.current().too_much_data_over
        if limit and cells > limit:
            raise GraphError(100, TOO_MUCH_DATA_MESSAGE, subcode=TOO_MUCH_DATA_SUBCODE)

    def raise_injected(self) -> None:
        """Answer this call with the next injected throttle or server error, if any."""
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
            if faults.unknown_error_next > 0:
                faults.unknown_error_next -= 1
                code = faults.unknown_error_code
                raise GraphError(code, f"(#{code}) An unexpected error occurred.", status=400)
            if faults.gateway_error_next > 0:
                faults.gateway_error_next -= 1
                raise GatewayError(
                    faults.gateway_status, echoes_request=faults.gateway_echoes_request
                )
