"""Async report runs that advance one step per read, as Graph's do (Job Not Started -> Job
Started -> Job Running -> Job Completed or Job Failed; a stuck one stays Job Running, its
percent frozen), and answer their rows once complete."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.localstack.graph.catalog import Catalog
from shared.localstack.graph.insights import insight_rows
from shared.localstack.graph.query import InsightsQuery
from shared.localstack.graph.rendering import Timeline
from shared.localstack.graph.wire import GraphError, invalid

JOB_FAILED = "Job Failed"
JOB_COMPLETED = "Job Completed"
REPORT_FAILED_CODE, REPORT_FAILED_SUBCODE = -2, 2490547
REPORT_FAILED_MESSAGE = "Generating the report failed. Try again later."


@dataclass
class Report:
    id: str
    account_id: str
    object_id: str
    query: InsightsQuery
    timeline: Timeline
    outcome: str
    created_at: datetime
    stuck: bool = False
    polls: int = 0
    status: str = "Job Not Started"
    percent: int = 0
    rows: list[dict[str, Any]] | None = None

    def as_json(self) -> dict[str, Any]:
        """The report run node (AdReportRun) as Graph answers it."""
        data: dict[str, Any] = {
            "id": self.id,
            "account_id": self.account_id.removeprefix("act_"),
            "async_status": self.status,
            "async_percent_completion": self.percent,
            "date_start": self.query.since.isoformat(),
            "date_stop": self.query.until.isoformat(),
            "time_ref": int(self.created_at.timestamp()),
            "is_running": self.status not in (JOB_COMPLETED, JOB_FAILED),
        }
        if self.status == JOB_COMPLETED:
            data["time_completed"] = int(self.created_at.timestamp()) + 1
        if self.status == JOB_FAILED:
            data["error_code"] = REPORT_FAILED_CODE
            data["error_subcode"] = REPORT_FAILED_SUBCODE
            data["error_message"] = REPORT_FAILED_MESSAGE
        return data


class ReportRuns:
    """The async report runs started so far. Thread-safe."""

    def __init__(self, catalog: Catalog, polls_to_complete: int) -> None:
        self._catalog = catalog
        self._polls_to_complete = max(1, polls_to_complete)
        self._lock = threading.Lock()
        self._reports: dict[str, Report] = {}

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()

    def account_of(self, report_id: str) -> str | None:
        with self._lock:
            report = self._reports.get(report_id)
        return None if report is None else report.account_id

    def start(
        self,
        account_id: str,
        object_id: str,
        query: InsightsQuery,
        timeline: Timeline,
        *,
        fail: bool,
        stuck: bool,
        now: datetime,
    ) -> str:
        report = Report(
            id="6" + "".join(secrets.choice("0123456789") for _ in range(15)),
            account_id=account_id,
            object_id=object_id,
            query=query,
            timeline=timeline,
            outcome=JOB_FAILED if fail else JOB_COMPLETED,
            created_at=now,
            stuck=stuck,
        )
        with self._lock:
            self._reports[report.id] = report
        return report.id

    def read(self, report_id: str) -> dict[str, Any] | None:
        """The report run node, moved one step on by this read; None if there is no such run."""
        with self._lock:
            report = self._reports.get(report_id)
            if report is None:
                return None
            self._advance(report)
            return report.as_json()

    def rows(self, report_id: str) -> list[dict[str, Any]] | None:
        """A completed report's rows (rendered once); None if there is no such run."""
        with self._lock:
            report = self._reports.get(report_id)
            if report is None:
                return None
            if report.status == JOB_FAILED:
                raise GraphError(
                    REPORT_FAILED_CODE, REPORT_FAILED_MESSAGE, subcode=REPORT_FAILED_SUBCODE
                )
            if report.status != JOB_COMPLETED:
                raise invalid(
                    f"The report run {report.id} is not complete yet ({report.status}); "
                    "read it until async_status is Job Completed"
                )
            if report.rows is None:
                report.rows = insight_rows(
                    self._catalog, report.object_id, report.query, report.timeline
                )
            return report.rows

    def _advance(self, report: Report) -> None:
        if report.status in (JOB_COMPLETED, JOB_FAILED):
            return
        if report.stuck:  # Meta's stuck job: running, its percent frozen short of the end
            report.polls = min(report.polls + 1, max(1, self._polls_to_complete - 1))
            report.status = "Job Running"
            report.percent = int(100 * report.polls / self._polls_to_complete)
            return
        report.polls += 1
        if report.polls >= self._polls_to_complete:
            report.status = report.outcome
            report.percent = 100 if report.outcome == JOB_COMPLETED else report.percent
        else:
            report.status = "Job Started" if report.polls == 1 else "Job Running"
            report.percent = int(100 * report.polls / self._polls_to_complete)
