"""Daily insight sync for one Meta ad account: asynchronous report runs, resumable.

A sync covers the account's look-back window (Meta restates recent days) at campaign, ad set
and ad level. Each (object, level) is a unit with its own report run; the state of every unit
is stored, so a sync interrupted midway resumes where it stopped, and a unit's rows are loaded
only once its report is complete and read in full (an upsert on the table's keys: no gaps, no
duplicates). A report that fails twice is split one level down (account -> its campaigns ->
their ad sets) instead of being retried forever. Throttling waits at least as long as Meta
says; an expired or revoked token marks the account `needs_reauth` and raises an alert, with
nothing partial loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.adaccounts.alerts import SpendAlerts
from shared.adaccounts.links import PaidCampaignLinks
from shared.adaccounts.models import AccountStatus, AdAccount, SyncStatus
from shared.adaccounts.service import SYNC_QUEUE, AdAccountService
from shared.paid import save_insights
from shared.paid.kpis import UnusableMetaRow, meta_insight_row
from shared.ports import (
    AdsAuthError,
    AdsPlatform,
    AdsThrottled,
    DocumentStore,
    TaskQueue,
    Warehouse,
)

logger = logging.getLogger(__name__)
LEVELS = ("campaign", "adset", "ad")
SPLIT_AFTER_FAILURES = 2
POLL_SECONDS = 5.0
SLOW_DOWN_PERCENT = 75.0
"""Above this share of Meta's rate limit, the sync pauses before the next call."""
SLOW_DOWN_SECONDS = 60.0


class UnitStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SyncUnit(BaseModel):
    object_id: str
    object_level: str = Field(description="account, campaign or adset: what the report is on")
    level: str = Field(description="the level of the rows it returns")
    report_id: str | None = None
    status: UnitStatus = UnitStatus.PENDING
    failures: int = 0
    rows: int = 0
    rejected: int = 0


class SyncRun(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sync_id: str
    org_id: str
    account_id: str
    since: date
    until: date
    units: list[SyncUnit]
    status: SyncStatus = SyncStatus.RUNNING
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None


def sync_path(org_id: str, sync_id: str) -> str:
    return f"orgs/{org_id}/ad_syncs/{sync_id}"


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
        tasks: TaskQueue,
        poll_seconds: float = POLL_SECONDS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._poll_seconds = poll_seconds
        self._tasks = tasks
        self._links = links
        self._store = store
        self._warehouse = warehouse
        self._accounts = accounts
        self._ads = ads
        self._alerts = alerts
        self._now = now

    def start(self, org_id: str, account_id: str, sync_id: str) -> SyncRun:
        """The run for `sync_id`, created on first call (a repeated task finds it)."""
        existing = self._store.get(sync_path(org_id, sync_id))
        if existing is not None:
            return SyncRun.model_validate(existing)
        account = self._accounts.load(org_id, account_id)
        today = self._now().date()
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
        self._save(run)
        return run

    def step(self, run: SyncRun) -> float | None:
        """Advance every unfinished unit once; the seconds to wait before the next step, or
        None when the run is over."""
        if run.status is not SyncStatus.RUNNING:
            return None
        account = self._accounts.load(run.org_id, run.account_id)
        ads = self._ads()
        try:
            token = self._accounts.token_for(run.org_id, account)
            wait = self._advance(run, account, ads, token)
        except AdsThrottled as throttled:
            self._save(run)
            logger.warning(
                "Meta throttled sync %s; waiting %.0fs", run.sync_id, throttled.wait_seconds
            )
            return max(throttled.wait_seconds, self._poll_seconds)
        except AdsAuthError as denied:
            self._needs_reauth(run, account, str(denied))
            return None
        if wait is not None:
            return wait
        self._finish(run, account)
        return None

    def _advance(
        self, run: SyncRun, account: AdAccount, ads: AdsPlatform, token: str
    ) -> float | None:
        waiting = False
        for unit in list(run.units):
            if unit.status in (UnitStatus.DONE, UnitStatus.FAILED):
                continue
            if unit.report_id is None:
                unit.report_id = ads.start_report(
                    token,
                    unit.object_id,
                    level=unit.level,
                    since=run.since,
                    until=run.until,
                    attribution_windows=account.attribution_windows,
                )
                unit.status = UnitStatus.RUNNING
                self._save(run)
            status, _ = ads.report_status(token, unit.report_id)
            if status == "Job Completed":
                self._load_unit(run, account, ads, token, unit)
            elif status in ("Job Failed", "Job Skipped"):
                self._report_failed(run, ads, token, unit)
                waiting = True
            else:
                waiting = True
            self._save(run)
            pause = self._pause_for(ads)
            if pause:
                return pause
        return self._poll_seconds if waiting else None

    def _load_unit(
        self, run: SyncRun, account: AdAccount, ads: AdsPlatform, token: str, unit: SyncUnit
    ) -> None:
        """Read the whole report, then load it in one upsert: nothing partial is stored."""
        synced_at = self._now()
        links = self._links.links_for(run.org_id, run.account_id)
        rows = []
        for raw in ads.report_rows(token, unit.report_id or ""):
            link = links.get(str(raw.get("campaign_id")), {})
            try:
                rows.append(
                    meta_insight_row(
                        raw,
                        org_id=run.org_id,
                        account_id=run.account_id,
                        level=unit.level,
                        attribution_windows=account.attribution_windows,
                        synced_at=synced_at,
                        account_currency=account.currency,
                        reachops_campaign_id=link.get("reachops_campaign_id"),
                        creator_id=link.get("creator_id"),
                    )
                )
            except UnusableMetaRow as unusable:
                unit.rejected += 1
                logger.warning("skipping a Meta row of %s: %s", unit.object_id, unusable)
        save_insights(self._warehouse, rows)
        unit.status, unit.rows = UnitStatus.DONE, len(rows)

    def _report_failed(self, run: SyncRun, ads: AdsPlatform, token: str, unit: SyncUnit) -> None:
        unit.failures += 1
        unit.report_id = None
        unit.status = UnitStatus.PENDING
        if unit.failures < SPLIT_AFTER_FAILURES:
            return
        down = {"account": ("campaign", "campaign"), "campaign": ("adset", "adset")}.get(
            unit.object_level
        )
        if down is None:
            unit.status = UnitStatus.FAILED
            return
        child_level, _ = down
        children = ads.children(token, unit.object_id, child_level)
        run.units.remove(unit)
        run.units += [
            SyncUnit(object_id=child, object_level=child_level, level=unit.level)
            for child in children
        ]

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
        failed = [u for u in run.units if u.status is UnitStatus.FAILED]
        run.finished_at = self._now()
        run.status = SyncStatus.FAILED if failed else SyncStatus.SUCCEEDED
        run.error = f"{len(failed)} report(s) failed even split down" if failed else None
        self._save(run)
        account.sync_status = run.status
        account.last_error = run.error
        if not failed:
            account.last_successful_sync_at = run.finished_at
        self._accounts.save(run.org_id, account)
        self._alerts.check_account(run.org_id, account, run.until - timedelta(days=1))

    def _needs_reauth(self, run: SyncRun, account: AdAccount, reason: str) -> None:
        run.status, run.error, run.finished_at = SyncStatus.FAILED, reason, self._now()
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

    def _save(self, run: SyncRun) -> None:
        self._store.set(sync_path(run.org_id, run.sync_id), run.model_dump(mode="json"))

    def run_task(
        self, org_id: str, account_id: str, sync_id: str | None, reason: str
    ) -> dict[str, Any]:
        """One Cloud Tasks delivery: start (or find) the run, advance it, and re-enqueue the
        next step with the delay Meta or the reports call for."""
        sync_id = sync_id or f"{account_id}-{reason}-{self._now():%Y%m%d}"
        run = self.start(org_id, account_id, sync_id)
        delay = self.step(run)
        if delay is not None:
            self._tasks.enqueue(
                SYNC_QUEUE,
                {"org_id": org_id, "account_id": account_id, "sync_id": sync_id, "reason": reason},
                task_id=f"{sync_id}-{int(self._now().timestamp() * 1000)}",
                delay_seconds=delay,
            )
        return {"sync_id": sync_id, "status": run.status.value, "next_step_in_seconds": delay}
