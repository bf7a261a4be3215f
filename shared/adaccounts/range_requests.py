"""Range reports asked for by the KPI table: one Meta range report per (account, since, until).

When the KPI table is asked for a range no range report is stored for, it asks here: the
request is noted on the account's one bounded request document (at most MAX_PENDING pending,
the last REMEMBERED finished kept) and one Cloud Task goes onto the meta-insights queue, named
from its content (org, account, range, attempt), so a repeated call or a duplicate delivery
collapses onto it. The insights_sync function runs it (task kind `range_reach`): account and
campaign range rows, upserted into ad_insights_range (MERGE on their keys), then the request is
READY (or EMPTY, or FAILED with Meta's message, asked again after RETRY_AFTER). A request
whose task never came back (Cloud Tasks gave up) is asked again after PENDING_EXPIRES.
Only ranges Meta keeps (37 months back from the account's today) and none ending in the
future are asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.adaccounts.models import AccountStatus
from shared.adaccounts.range_reach import REQUESTED_LEVELS, RangeReach
from shared.adaccounts.service import SYNC_QUEUE, AdAccountService
from shared.adaccounts.timezones import account_today
from shared.errors import Unavailable
from shared.paid.range_state import RangeReachState, RangeStatus
from shared.ports import (
    AdsAuthError,
    AdsPlatform,
    AdsRequestFailed,
    AdsThrottled,
    AdsTooMuchData,
    AdsUnavailable,
    DocumentStore,
    TaskQueue,
)

logger = logging.getLogger(__name__)
RANGE_TASK = "range_reach"
MAX_PENDING = 3
"""Range reports of one account asked of Meta and not yet back."""
REMEMBERED = 20
"""Finished requests kept on the account's request document (it never grows past this)."""
META_KEEPS_MONTHS = 37
PENDING_EXPIRES = timedelta(hours=2)
"""Longer than the meta-insights queue's retries last: a request still pending is lost."""
RETRY_AFTER = timedelta(hours=1)
"""A failed (or empty) range report is asked again after this."""


def requests_path(org_id: str, account_id: str) -> str:
    return f"orgs/{org_id}/ad_accounts/{account_id}/range_reach/requests"


def earliest_day(today: date) -> date:
    """The oldest day Meta still answers insights for: META_KEEPS_MONTHS before `today`."""
    months = today.year * 12 + today.month - 1 - META_KEEPS_MONTHS
    year, month = divmod(months, 12)
    return date(year, month + 1, 1)


def task_id(org_id: str, account_id: str, since: date, until: date, attempt: int) -> str:
    return f"range-{org_id}-{account_id}-{since:%Y%m%d}-{until:%Y%m%d}-{attempt}"


class RangeRequests:
    def __init__(
        self,
        *,
        store: DocumentStore,
        accounts: AdAccountService,
        ads: Callable[[], AdsPlatform],
        range_reach: RangeReach,
        tasks: TaskQueue,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._ads = ads
        self._range_reach = range_reach
        self._tasks = tasks
        self._now = now

    def request(self, org_id: str, account_id: str, since: date, until: date) -> RangeReachState:
        account = self._accounts.load(org_id, account_id)
        today = account_today(account, self._now())
        if until > today:
            return _refused(f"the range ends after the account's today ({today})")
        if since < earliest_day(today):
            return _refused(
                f"Meta keeps insights for {META_KEEPS_MONTHS} months: nothing before "
                f"{earliest_day(today)}"
            )
        if account.status is AccountStatus.NEEDS_REAUTH:
            return _refused("the account needs to be connected again before Meta can be asked")
        key, now = f"{since}_{until}", self._now()
        asked: dict[str, Any] = {}

        def note(data: dict[str, Any] | None) -> dict[str, Any]:
            ranges: dict[str, dict[str, Any]] = dict((data or {}).get("ranges", {}))
            asked.clear()
            entry = ranges.get(key)
            if entry is not None and not _due_again(entry, now):
                return {"ranges": ranges}
            pending = [k for k, e in ranges.items() if k != key and not _due_again(e, now)]
            pending = [k for k in pending if ranges[k]["status"] == RangeStatus.PENDING]
            if len(pending) >= MAX_PENDING:
                return {"ranges": ranges}
            attempt = int((entry or {}).get("attempt", 0)) + 1
            ranges[key] = {
                "status": RangeStatus.PENDING.value,
                "attempt": attempt,
                "requested_at": now.isoformat(),
                "finished_at": None,
                "error": None,
            }
            asked["attempt"] = attempt
            return {"ranges": _pruned(ranges, now)}

        ranges = self._store.update_atomically(requests_path(org_id, account_id), note)["ranges"]
        if asked:
            return self._enqueue(org_id, account_id, (since, until), asked["attempt"])
        entry = ranges.get(key)
        if entry is None:
            return _refused(
                f"{MAX_PENDING} range reports of this account are already asked of Meta; "
                "ask again once they are in"
            )
        return _state(entry, since, until)

    def run_task(
        self, org_id: str, account_id: str, since: date, until: date, attempt: int
    ) -> dict[str, Any]:
        """One delivery of a range task: read and store the range rows, once per attempt (a
        redelivery after the attempt finished is a no-op). Throttling and Meta outages raise
        AdsUnavailable (Cloud Tasks retries with the queue's backoff)."""
        key = f"{since}_{until}"
        entry = (self._store.get(requests_path(org_id, account_id)) or {}).get("ranges", {})
        current = entry.get(key)
        if current is None or current["attempt"] != attempt or current["status"] != "pending":
            return {"range": key, "skipped": "not pending under this attempt"}
        account = self._accounts.load(org_id, account_id)
        try:
            token = self._accounts.token_for(org_id, account)
            rows = self._range_reach.store(
                self._ads(), org_id, account, token, (since, until), levels=REQUESTED_LEVELS
            )
        except AdsThrottled as throttled:
            raise AdsUnavailable(f"Meta throttled the range report: {throttled}") from throttled
        except AdsAuthError as denied:
            return self._finish(org_id, account_id, key, error=f"Meta refused the token: {denied}")
        except (AdsRequestFailed, AdsTooMuchData) as failed:
            return self._finish(org_id, account_id, key, error=str(failed))
        return self._finish(org_id, account_id, key, rows=rows)

    def _enqueue(
        self, org_id: str, account_id: str, window: tuple[date, date], attempt: int
    ) -> RangeReachState:
        since, until = window
        payload = {
            "kind": RANGE_TASK,
            "org_id": org_id,
            "account_id": account_id,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "attempt": attempt,
        }
        try:
            self._tasks.enqueue(
                SYNC_QUEUE, payload, task_id=task_id(org_id, account_id, since, until, attempt)
            )
        except Unavailable as down:
            logger.warning("could not enqueue range report %s..%s: %s", since, until, down)
            self._finish(org_id, account_id, f"{since}_{until}", error=str(down))
            return _refused(f"the request could not be queued ({down}); ask again later")
        return RangeReachState(
            status=RangeStatus.PENDING,
            requested_at=self._now(),
            reason=_pending_reason(since, until, self._now()),
        )

    def _finish(
        self, org_id: str, account_id: str, key: str, *, rows: int = 0, error: str | None = None
    ) -> dict[str, Any]:
        status = RangeStatus.FAILED if error else RangeStatus.READY if rows else RangeStatus.EMPTY
        finished = {
            "status": status.value,
            "finished_at": self._now().isoformat(),
            "error": error,
            "rows": rows,
        }

        def finish(data: dict[str, Any] | None) -> dict[str, Any]:
            ranges = dict((data or {}).get("ranges", {}))
            ranges[key] = {**ranges.get(key, {"attempt": 0}), **finished}
            return {"ranges": _pruned(ranges, self._now())}

        self._store.update_atomically(requests_path(org_id, account_id), finish)
        return {"range": key, **finished}


def _due_again(entry: dict[str, Any], now: datetime) -> bool:
    """Whether a noted request is to be asked again: lost while pending, or failed (or empty)
    long enough ago. A READY one never is (its rows are stored)."""
    if entry["status"] == RangeStatus.PENDING:
        return now - datetime.fromisoformat(entry["requested_at"]) >= PENDING_EXPIRES
    if entry["status"] == RangeStatus.READY:
        return False
    return now - datetime.fromisoformat(entry["finished_at"]) >= RETRY_AFTER


def _pruned(ranges: dict[str, dict[str, Any]], now: datetime) -> dict[str, dict[str, Any]]:
    """Every live pending request, and the REMEMBERED most recent others (finished, or lost
    while pending): the document never grows past MAX_PENDING + REMEMBERED entries."""
    live = {
        k
        for k, e in ranges.items()
        if e["status"] == RangeStatus.PENDING and not _due_again(e, now)
    }
    others = sorted(
        (k for k in ranges if k not in live),
        key=lambda k: ranges[k].get("finished_at") or ranges[k]["requested_at"],
        reverse=True,
    )
    dropped = set(others[REMEMBERED:])
    return {k: e for k, e in ranges.items() if k not in dropped}


def _pending_reason(since: date, until: date, at: datetime) -> str:
    return (
        f"the range report for {since}..{until} was requested from Meta at {at:%Y-%m-%dT%H:%MZ} "
        "and will appear on a later call (reach over a range is never a sum of daily reach)"
    )


def _refused(reason: str) -> RangeReachState:
    return RangeReachState(status=RangeStatus.REFUSED, reason=reason)


def _state(entry: dict[str, Any], since: date, until: date) -> RangeReachState:
    requested = datetime.fromisoformat(entry["requested_at"]) if entry.get("requested_at") else None
    status = RangeStatus(entry["status"])
    if status is RangeStatus.PENDING and requested is not None:
        reason = _pending_reason(since, until, requested)
    elif status is RangeStatus.FAILED:
        reason = (
            f"Meta's range report for {since}..{until} failed: {entry['error']}; it is asked "
            f"again {RETRY_AFTER} after"
        )
    elif status is RangeStatus.EMPTY:
        reason = f"Meta's range report for {since}..{until} has no rows"
    else:
        reason = None
    return RangeReachState(status=status, requested_at=requested, reason=reason)
