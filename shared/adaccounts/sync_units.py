"""The units of an insight sync and the rules that move them; no I/O here.

A unit is one report: the rows of `level` (campaign, adset or ad) of one object (the account,
one campaign, one ad set or one ad). Splitting replaces a unit by units on its children that
still report rows of the same level, so a split never changes which rows are stored: the
campaign rows of each campaign are the rows the account-wide campaign report holds for it. A
unit whose object is already at its own level (a campaign's campaign rows) cannot be split.
Each unit is its own document under its run (shared/adaccounts/sync.py), so a run's document
stays the same size however many campaigns, ad sets and ads an account has.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

OBJECT_LEVELS = ("account", "campaign", "adset", "ad")
SPLIT_AFTER_FAILURES = 2
"""Failed (or stuck) reports of one unit before it is split onto its children."""
MAX_CALL_RETRIES = 3
"""Retries of a unit's Graph call failing with codes 1, 2, unknown codes or 5xx."""
RETRY_BACKOFF_SECONDS = 30.0
"""The first retry's delay; each further one doubles it."""
STUCK_AFTER = timedelta(minutes=30)
"""A report whose async_percent_completion has not moved for this long is abandoned."""


class UnitStatus(StrEnum):
    PENDING = "pending"  # no report running: the next step starts one
    RUNNING = "running"  # a report is running: the next step polls it
    SPLITTING = "splitting"  # given up on at this granularity: the next step fetches children
    SPLIT = "split"  # replaced by one unit per child (their rows are its rows)
    DONE = "done"  # its rows are stored
    FAILED = "failed"  # cannot be reported: the sync fails with `error`


OPEN_STATUSES = (UnitStatus.PENDING, UnitStatus.RUNNING, UnitStatus.SPLITTING)
"""The statuses a step still advances (each other status is final)."""


class SyncUnit(BaseModel):
    object_id: str
    object_level: str = Field(description="account, campaign, adset or ad: what is reported on")
    level: str = Field(description="campaign, adset or ad: the level of the rows")
    report_id: str | None = None
    status: UnitStatus = UnitStatus.PENDING
    failures: int = Field(default=0, description="failed or stuck reports so far")
    errors: int = Field(default=0, description="Graph errors in a row (codes 1, 2, unknown)")
    retry_at: datetime | None = None
    percent: int = 0
    progress_at: datetime | None = Field(
        default=None, description="when the report started or its percentage last moved"
    )
    rows: int = 0
    rejected: int = 0
    error: str | None = Field(default=None, description="Meta's message, last seen")

    @property
    def finished(self) -> bool:
        return self.status not in OPEN_STATUSES

    @property
    def unit_id(self) -> str:
        """The unit's document id: one unit per (row level, object) in a run."""
        return f"{self.level}-{self.object_id}"

    def can_split(self) -> bool:
        return OBJECT_LEVELS.index(self.object_level) < OBJECT_LEVELS.index(self.level)

    def child_level(self) -> str:
        return OBJECT_LEVELS[OBJECT_LEVELS.index(self.object_level) + 1]

    def children(self, ids: list[str]) -> list[SyncUnit]:
        """The units that replace this one: the same rows, one report per child object."""
        return [
            SyncUnit(object_id=child, object_level=self.child_level(), level=self.level)
            for child in ids
        ]

    def started(self, report_id: str, now: datetime) -> None:
        self.report_id, self.status = report_id, UnitStatus.RUNNING
        self.percent, self.progress_at = 0, now

    def is_stuck(self, percent: int, now: datetime, stuck_after: timedelta) -> bool:
        """Note the report's progress; True once it has not moved for `stuck_after`."""
        if percent > self.percent or self.progress_at is None:
            self.percent, self.progress_at = percent, now
            return False
        return now - self.progress_at >= stuck_after

    def report_failed(self, reason: str) -> None:
        """A failed or abandoned report: another try, then a split, then failure."""
        self.failures += 1
        self.report_id, self.error = None, reason
        if self.failures < SPLIT_AFTER_FAILURES:
            self.status = UnitStatus.PENDING
        else:
            self.give_up_here(reason)

    def give_up_here(self, reason: str) -> None:
        """No report at this granularity: split onto the children, or fail at the lowest."""
        self.report_id, self.error = None, reason
        self.status = UnitStatus.SPLITTING if self.can_split() else UnitStatus.FAILED

    def call_failed(self, reason: str, now: datetime, backoff_seconds: float) -> None:
        """A Graph call of this unit failed (codes 1, 2, unknown, 5xx): retry later, a few
        times, then the unit fails with Meta's message."""
        self.errors += 1
        self.error = reason
        if self.errors > MAX_CALL_RETRIES:
            self.status, self.retry_at = UnitStatus.FAILED, None
            return
        self.retry_at = now + timedelta(seconds=backoff_seconds * 2 ** (self.errors - 1))

    def call_succeeded(self) -> None:
        self.errors, self.retry_at = 0, None

    def describe(self) -> str:
        return f"{self.level} rows of {self.object_level} {self.object_id}"
