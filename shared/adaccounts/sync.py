"""Daily insight sync for one Meta ad account: asynchronous report runs, resumable.

A sync covers the account's look-back window (Meta restates recent days) at campaign, ad set
and ad level. It starts as three units, one account-wide report per level; every unit's state
is stored as its own document under the run (`orgs/{org}/ad_syncs/{sync}/units/{level}-{object}`,
written when it changes), so the run's document stays small however many units a huge account
splits into, a sync interrupted midway resumes where it stopped, and a unit's rows are loaded
only once its report is complete and read in full (an upsert on the table's keys: no gaps, no
duplicates).

Each unit (sync_units.SyncUnit) moves through these states, one step at a time:

    PENDING   -- report started -->                          RUNNING
    RUNNING   -- Job Completed, rows read and upserted -->   DONE
    RUNNING   -- Job Failed/Skipped, or no progress for STUCK_AFTER (first time) --> PENDING
    RUNNING   -- the same, SPLIT_AFTER_FAILURES times, or code 100/1487534 --> SPLITTING
    SPLITTING -- child ids read -->  SPLIT, and one PENDING unit per child, same row level
    SPLITTING -- the object is already at the rows' level (nothing to split) --> FAILED
    any       -- codes 1, 2, unknown or 5xx: retried with backoff, MAX_CALL_RETRIES --> FAILED

Splitting follows Airbyte: account -> campaigns -> ad sets -> ads, and the rows keep the
unit's level (the campaign rows of one campaign, not its ad sets' partial campaign rows), so a
split sync stores exactly what an unsplit one stores. Child ids come from an insights query
over every effective status, so archived and deleted objects (and their late conversions)
are never skipped. The run succeeds only when every unit is DONE; a FAILED unit fails the
run with Meta's message, never a success with rows missing.

Throttling waits at least as long as Meta says and counts as no failure. An expired or
revoked token marks the account `needs_reauth` and raises an alert; the run keeps its units
and waits (checking every REAUTH_CHECK_SECONDS, up to REAUTH_TIMEOUT) until the account is
connected again, then resumes where it stopped.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.adaccounts.alerts import SpendAlerts
from shared.adaccounts.details import AccountDetailSync
from shared.adaccounts.links import PaidCampaignLinks
from shared.adaccounts.models import AccountStatus, AdAccount, SyncStatus
from shared.adaccounts.range_reach import RangeReach
from shared.adaccounts.service import SYNC_QUEUE, AdAccountService
from shared.adaccounts.sync_runs import SyncRun, SyncRuns
from shared.adaccounts.sync_units import (
    RETRY_BACKOFF_SECONDS,
    STUCK_AFTER,
    SyncUnit,
    UnitStatus,
)
from shared.adaccounts.timezones import account_today
from shared.paid import InsightRecord, save_insights
from shared.ports import (
    AdsAuthError,
    AdsPlatform,
    AdsRequestFailed,
    AdsThrottled,
    AdsTooMuchData,
    AdsUnavailable,
    DocumentStore,
    TaskQueue,
    Warehouse,
)

logger = logging.getLogger(__name__)
LEVELS = ("campaign", "adset", "ad")
POLL_SECONDS = 5.0
SLOW_DOWN_PERCENT = 75.0
"""Above this share of Meta's rate limit, the sync pauses before the next call."""
SLOW_DOWN_SECONDS = 60.0
REAUTH_CHECK_SECONDS = 3600.0
REAUTH_TIMEOUT = timedelta(days=7)
COMPLETED = "Job Completed"
FAILED_REPORT = frozenset({"Job Failed", "Job Skipped"})
SHOWN_FAILURES = 3
"""Failed units named in the run's error (the rest are counted)."""
STEP_LEASE = timedelta(seconds=540)
"""How long a step's lease lasts (sync_runs.py): the composition root passes the step
function's own timeout, after which its holder is surely gone."""

RowConverter = Callable[..., InsightRecord]
"""Meta's raw insights row -> a typed row (the composition root hands in the Meta adapter's
converter); raises ValueError for a row that cannot be stored."""


class InsightSync:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        accounts: AdAccountService,
        ads: Callable[[], AdsPlatform],
        alerts: SpendAlerts,
        links: PaidCampaignLinks,
        details: AccountDetailSync,
        range_reach: RangeReach,
        tasks: TaskQueue,
        convert_row: RowConverter,
        poll_seconds: float = POLL_SECONDS,
        stuck_after: timedelta = STUCK_AFTER,
        retry_backoff_seconds: float = RETRY_BACKOFF_SECONDS,
        step_lease: timedelta = STEP_LEASE,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`now` is the sync's clock (stuck reports, backoff, re-auth waits, leases read it)."""
        self._step_lease = step_lease
        self._poll_seconds = poll_seconds
        self._convert_row = convert_row
        self._stuck_after = stuck_after
        self._backoff = retry_backoff_seconds
        self._tasks = tasks
        self._details = details
        self._range_reach = range_reach
        self._links = links
        self._runs = SyncRuns(store)
        self._warehouse = warehouse
        self._accounts = accounts
        self._ads = ads
        self._alerts = alerts
        self._now = now

    def start(self, org_id: str, account_id: str, sync_id: str) -> SyncRun:
        """The run for `sync_id`, created on first call (a repeated task finds it)."""
        existing = self._runs.load(org_id, sync_id)
        if existing is not None:
            return existing
        account = self._accounts.load(org_id, account_id)
        today = account_today(account, self._now())  # Meta's days are the account's
        run = SyncRun(
            sync_id=sync_id,
            org_id=org_id,
            account_id=account_id,
            since=today - timedelta(days=account.lookback_days),
            until=today,
            units=[
                SyncUnit(object_id=f"act_{account_id}", object_level="account", level=lv)
                for lv in LEVELS
            ],
            started_at=self._now(),
        )
        account.sync_status, account.last_sync_started_at = SyncStatus.RUNNING, run.started_at
        self._accounts.save(org_id, account)
        self._save_units(run, run.units)
        self._save(run)
        return run

    def load(self, org_id: str, sync_id: str) -> SyncRun | None:
        """The run with its open units (the finished ones stay in their documents)."""
        return self._runs.load(org_id, sync_id)

    def step(self, run: SyncRun) -> float | None:
        """Advance every unfinished unit once; the seconds to wait before the next step, or
        None when the run is over."""
        if run.status is not SyncStatus.RUNNING:
            return None
        account = self._accounts.load(run.org_id, run.account_id)
        if run.reauth_since is not None and not self._reconnected(run, account):
            return REAUTH_CHECK_SECONDS if run.status is SyncStatus.RUNNING else None
        ads = self._ads()
        try:
            token = self._accounts.token_for(run.org_id, account)
            wait = self._advance(run, account, ads, token)
            if wait is None:  # every report loaded: settings and breakdowns, same window
                self._details.sync(ads, run.org_id, account, token, (run.since, run.until))
                self._range_reach.sync(ads, run.org_id, account, token, (run.since, run.until))
        except AdsThrottled as throttled:
            self._save(run)
            logger.warning(
                "Meta throttled sync %s; waiting %.0fs", run.sync_id, throttled.wait_seconds
            )
            return max(throttled.wait_seconds, self._poll_seconds)
        except AdsAuthError as denied:
            self._needs_reauth(run, account, str(denied))
            return REAUTH_CHECK_SECONDS
        if wait is not None:
            return wait
        self._finish(run, account)
        return None

    def _advance(
        self, run: SyncRun, account: AdAccount, ads: AdsPlatform, token: str
    ) -> float | None:
        """One pass over the units; None once all are finished, else the wait until the next
        pass (a poll, or the earliest retry of a unit backing off)."""
        # Splits first: a split redone after a crash then sees the children it already wrote.
        for unit in sorted(run.units, key=lambda u: u.status is not UnitStatus.SPLITTING):
            if unit.finished or (unit.retry_at is not None and unit.retry_at > self._now()):
                continue
            before = unit.model_dump()
            try:
                self._advance_unit(run, account, ads, token, unit)
                unit.call_succeeded()
            except AdsTooMuchData as too_much:
                if unit.status is UnitStatus.SPLITTING:  # even the child ids: bounded retries
                    unit.call_failed(str(too_much), self._now(), self._backoff)
                else:
                    unit.give_up_here(str(too_much))
            except (AdsUnavailable, AdsRequestFailed) as failed:
                logger.warning("sync %s, %s: %s", run.sync_id, unit.describe(), failed)
                unit.call_failed(str(failed), self._now(), self._backoff)
            if unit.model_dump() != before:
                self._save_units(run, [unit])
            pause = self._pause_for(ads)
            if pause:
                self._save(run)
                return pause
        # Only a started report must be stored at once (not to start it twice); whatever
        # else a crash loses here is redone next step, idempotently.
        self._save(run)
        now = self._now()
        waits = [
            (u.retry_at - now).total_seconds()
            if u.retry_at is not None and u.retry_at > now
            else self._poll_seconds
            for u in run.units
            if not u.finished
        ]
        return min(waits) if waits else None

    def _advance_unit(
        self, run: SyncRun, account: AdAccount, ads: AdsPlatform, token: str, unit: SyncUnit
    ) -> None:
        if unit.status is UnitStatus.SPLITTING:
            self._split(run, ads, token, unit)
            return
        if unit.status is UnitStatus.PENDING:
            report_id = ads.start_report(
                token,
                unit.object_id,
                level=unit.level,
                since=run.since,
                until=run.until,
                attribution_windows=account.attribution_windows,
            )
            unit.started(report_id, self._now())
            self._save_units(run, [unit])
        report_id = unit.report_id or ""
        progress = ads.report_status(token, report_id)
        if progress.status == COMPLETED:
            self._load_unit(run, account, ads, token, unit)
        elif progress.status in FAILED_REPORT:
            unit.report_failed(progress.error or f"report run {report_id}: {progress.status}")
        elif unit.is_stuck(progress.percent, self._now(), self._stuck_after):
            unit.report_failed(
                f"report run {report_id} abandoned: stuck at {progress.percent}% "
                f"({progress.status}) for {self._stuck_after}"
            )

    def _split(self, run: SyncRun, ads: AdsPlatform, token: str, unit: SyncUnit) -> None:
        """Replace the unit by one per child object (of any status) with delivery in the
        window; the children report rows of the unit's own level. The children are written
        before the unit is SPLIT, so a crash between the two redoes the split, which skips the
        children already written (they are among the run's open units)."""
        ids = ads.children(
            token, unit.object_id, unit.child_level(), since=run.since, until=run.until
        )
        logger.info("sync %s: splitting %s onto %d", run.sync_id, unit.describe(), len(ids))
        known = {u.unit_id for u in run.units}
        children = [child for child in unit.children(ids) if child.unit_id not in known]
        self._save_units(run, children)
        run.units += children  # advanced from the next pass on
        unit.status = UnitStatus.SPLIT

    def _load_unit(
        self, run: SyncRun, account: AdAccount, ads: AdsPlatform, token: str, unit: SyncUnit
    ) -> None:
        """Read the whole report, then load it in one upsert: nothing partial is stored."""
        synced_at = self._now()
        links = self._links.links_for(run.org_id, run.account_id)
        rows: list[InsightRecord] = []
        rejected = 0
        for raw in ads.report_rows(token, unit.report_id or ""):
            link = links.get(str(raw.get("campaign_id")), {})
            try:
                rows.append(
                    self._convert_row(
                        raw,
                        org_id=run.org_id,
                        account_id=run.account_id,
                        level=unit.level,
                        attribution_windows=account.attribution_windows,
                        synced_at=synced_at,
                        account_currency=account.currency,
                        conversion_events=account.conversion_events,
                        value_events=account.value_events,
                        reachops_campaign_id=link.get("reachops_campaign_id"),
                        creator_id=link.get("creator_id"),
                    )
                )
            except ValueError as unusable:
                rejected += 1
                logger.warning("skipping a Meta row of %s: %s", unit.object_id, unusable)
        save_insights(self._warehouse, rows)
        unit.status, unit.rows, unit.rejected = UnitStatus.DONE, len(rows), rejected

    def _pause_for(self, ads: AdsPlatform) -> float | None:
        """Slow down before Meta throttles: the usage headers of the call just made."""
        usage = ads.last_usage()
        if usage.regain_access_seconds > 0:
            return usage.regain_access_seconds
        if usage.percent_used >= SLOW_DOWN_PERCENT:
            logger.info("Meta usage at %.0f%%; pausing the sync", usage.percent_used)
            return SLOW_DOWN_SECONDS
        return None

    def _finish(self, run: SyncRun, account: AdAccount) -> None:
        failed = self._runs.failed_units(run)
        run.finished_at = self._now()
        run.status = SyncStatus.FAILED if failed else SyncStatus.SUCCEEDED
        run.error = _failures(failed) if failed else None
        self._save(run)
        account.sync_status = run.status
        account.last_error = run.error
        if not failed:
            account.last_successful_sync_at = run.finished_at
        self._accounts.save(run.org_id, account)
        self._alerts.check_account(run.org_id, account, run.until - timedelta(days=1))

    def _needs_reauth(self, run: SyncRun, account: AdAccount, reason: str) -> None:
        """Park the run (its units kept) until the account is connected again."""
        run.error = reason
        run.reauth_since = run.reauth_since or self._now()
        self._save(run)
        account.status = AccountStatus.NEEDS_REAUTH
        account.sync_status = SyncStatus.FAILED
        account.last_error = f"Meta refused the token: {reason}"
        self._accounts.save(run.org_id, account)
        self._alerts.raise_alert(
            run.org_id,
            key=f"reauth-{account.account_id}-{run.sync_id}",
            kind="needs_reauth",
            subject=account.account_id,
            message=f"Ad account {account.name} needs to be connected again: {reason}",
            data={"account_id": account.account_id},
        )

    def _reconnected(self, run: SyncRun, account: AdAccount) -> bool:
        """True when a parked run may go on; after REAUTH_TIMEOUT it fails instead."""
        if account.status is AccountStatus.ACTIVE:
            logger.info("sync %s resumes: account %s reconnected", run.sync_id, run.account_id)
            run.reauth_since, run.error = None, None
            account.sync_status = SyncStatus.RUNNING
            self._accounts.save(run.org_id, account)
            self._save(run)
            return True
        if run.reauth_since is not None and self._now() - run.reauth_since >= REAUTH_TIMEOUT:
            run.status, run.finished_at = SyncStatus.FAILED, self._now()
            run.error = f"not reconnected within {REAUTH_TIMEOUT}: {run.error}"
            self._save(run)
        return False

    def _save(self, run: SyncRun) -> None:
        self._runs.save(run)

    def _save_units(self, run: SyncRun, units: list[SyncUnit]) -> None:
        self._runs.save_units(run, units)

    def run_task(
        self, org_id: str, account_id: str, sync_id: str | None, reason: str, step: int = 0
    ) -> dict[str, Any]:
        """One Cloud Tasks delivery: start (or find) the run, advance it, and re-enqueue the
        next step with the delay Meta or the reports call for. The next step's task is named
        by its number (`{sync}-s{n}`), so a duplicate delivery of this step enqueues it once
        instead of forking a second chain of steps; the step itself redoes nothing (a started
        report is stored at once, rows are MERGEd). Deliveries running side by side are
        kept apart by the run's step lease: the second raises StepInProgress (retryable) before
        it reads the run, so it cannot start a report the first is starting."""
        sync_id = sync_id or f"{account_id}-{reason}-{self._now():%Y%m%d}"
        owner = secrets.token_hex(8)
        self._runs.take_lease(org_id, sync_id, owner, self._now(), self._step_lease)
        try:
            run = self.start(org_id, account_id, sync_id)
            delay = self.step(run)
            if delay is not None:
                task = {"org_id": org_id, "account_id": account_id, "sync_id": sync_id}
                self._tasks.enqueue(
                    SYNC_QUEUE,
                    {**task, "reason": reason, "step": step + 1},
                    task_id=f"{sync_id}-s{step + 1}",
                    delay_seconds=delay,
                )
        finally:
            self._runs.release_lease(org_id, sync_id, owner)
        return {"sync_id": sync_id, "status": run.status.value, "next_step_in_seconds": delay}


def _failures(failed: list[SyncUnit]) -> str:
    named = "; ".join(f"{u.describe()}: {u.error}" for u in failed[:SHOWN_FAILURES])
    more = len(failed) - SHOWN_FAILURES
    return f"{len(failed)} report(s) failed even split down: {named}" + (
        f"; and {more} more" if more > 0 else ""
    )
