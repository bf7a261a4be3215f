"""The bulk path: every unscored source (reachops.sentiment_sources without a sentiment_scores
row), through the paced Cloud Tasks queue `anthropic-batches` and Anthropic's Message Batches
API (half the price of scoring one by one).

One task per step, each idempotent:
- `submit` (from the 4-hourly schedule, or POST /v1/sentiment/bulk-analyze): stores what the
  cache answers, then starts one batch of the rest and records it under the task's run id
  (`orgs/{org}/sentiment_batches/{run_id}`), so a retried submit polls the batch it started
  instead of starting another. Without an API key (VADER) it scores the rest at once.
- `poll`: re-enqueues itself until the batch has ended, then stores its results, once (the
  record says so; the MERGE makes a repeat a no-op anyway). Lines that errored transiently,
  were canceled or expired stay unscored for the next run; a full page starts the next submit.
A submit leaves out the texts of a batch still out (submitted, not yet stored, under a day
old): a run after one is out (the next window, a bulk-analyze request) does not send its texts
again. Two submits at the very same moment (the schedule's and a bulk-analyze request's) can
each read before the other's record is written and both send a text: that costs one more
request, and changes no figure (results are MERGEd by source, cached by content). A batch's
record older than a day does not hold its texts back, since Anthropic ends every batch
within 24 hours.
While the engine is paused (pause.py) a task does nothing: the schedule runs again later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from shared.auth import Permission, Principal
from shared.errors import Unavailable
from shared.ports import (
    DocumentStore,
    SentimentBatches,
    SentimentSpendExhausted,
    SentimentUnavailable,
    TaskQueue,
    Warehouse,
)
from shared.sentiment.cache import content_hash
from shared.sentiment.models import BulkAccepted, SentimentSource, source_text
from shared.sentiment.service import SentimentService

QUEUE = "anthropic-batches"
UNSCORED_SQL = "queries/sentiment_unscored.sql"
BATCH_SIZE = 1_000
SCHEDULE_WINDOW_HOURS = 4
POLL_SECONDS = 60.0
BATCH_LIFETIME = timedelta(hours=24)
"""Anthropic ends a Message Batch (its unfinished lines expired) within 24 hours."""


class BatchTask(BaseModel):
    org_id: str
    action: Literal["submit", "poll"]
    run_id: str
    polls: int = 0


def batches_collection(org_id: str) -> str:
    return f"orgs/{org_id}/sentiment_batches"


class SentimentBatchJob:
    def __init__(
        self,
        *,
        store: DocumentStore,
        warehouse: Warehouse,
        sentiment: SentimentService,
        batches: SentimentBatches | None,
        tasks: TaskQueue,
        poll_seconds: float = POLL_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._warehouse = warehouse
        self._sentiment = sentiment
        self._batches = batches
        self._tasks = tasks
        self._poll_seconds = poll_seconds
        self._clock = clock

    def _submit(self, org_id: str, run_id: str) -> None:
        task = BatchTask(org_id=org_id, action="submit", run_id=run_id)
        self._tasks.enqueue(QUEUE, task.model_dump(), task_id=f"sentiment-{run_id}")

    def queue(self, org_id: str, run_id: str) -> None:
        """A bulk run of the organization's unscored sources now (one per run id: a repeat of
        the same id is the same named task), e.g. a comments run's new comments."""
        self._submit(org_id, run_id)

    def plan_all(self) -> int:
        """The schedule: one submit per organization and 4-hour window (a rerun is a no-op)."""
        now = self._clock()
        window = f"{now:%Y%m%d}{now.hour // SCHEDULE_WINDOW_HOURS * SCHEDULE_WINDOW_HOURS:02d}"
        orgs = self._store.query("orgs")
        for org in orgs:
            self._submit(org.id, f"{org.id}-{window}")
        return len(orgs)

    def request(self, principal: Principal) -> BulkAccepted:
        """POST /v1/sentiment/bulk-analyze: queue a submit (one per organization and minute)."""
        principal.require(Permission.WRITE_CAMPAIGNS)
        self._sentiment.require_running()
        run_id = f"{principal.org_id}-{self._clock():%Y%m%d%H%M}"
        self._submit(principal.org_id, run_id)
        engine = self._sentiment.engine
        return BulkAccepted(
            queued=True,
            run_id=run_id,
            engine=engine.engine,
            model=engine.model,
            batch=self._batches is not None,
        )

    def run(self, task: BatchTask) -> dict[str, Any]:
        """One task; raises Unavailable when the queue should retry it."""
        try:
            self._sentiment.require_running()
        except Unavailable:
            return {"run_id": task.run_id, "status": "paused"}
        try:
            if task.action == "submit":
                return self._on_submit(task)
            return self._on_poll(task)
        except SentimentSpendExhausted as exc:
            self._sentiment.pause_for(task.org_id, str(exc))
            return {"run_id": task.run_id, "status": "paused"}
        except SentimentUnavailable as exc:
            raise Unavailable(str(exc)) from None

    def _record_path(self, task: BatchTask) -> str:
        return f"{batches_collection(task.org_id)}/{task.run_id}"

    def _unscored(self, org_id: str) -> list[SentimentSource]:
        rows = self._warehouse.run(UNSCORED_SQL, {"org_id": org_id, "limit": BATCH_SIZE})
        found = [
            SentimentSource(row["source_type"], str(row["source_id"]), source_text(row))
            for row in rows
        ]
        return [source for source in found if source.text.strip()]

    def _out(self, org_id: str) -> set[str]:
        """Content hashes of the texts in the organization's batches still out."""
        since = self._clock() - BATCH_LIFETIME
        records = self._store.query(
            batches_collection(org_id), where=[("status", "==", "submitted")]
        )
        return {
            item["content_hash"]
            for record in records
            if record.data["submitted_at"] > since
            for item in record.data["items"]
        }

    def _on_submit(self, task: BatchTask) -> dict[str, Any]:
        record = self._store.get(self._record_path(task))
        if record is not None:  # a retried submit: poll what it started
            self._poll_later(task, 0)
            return {"run_id": task.run_id, "status": record["status"]}
        unscored = self._unscored(task.org_id)
        cached, rest = self._sentiment.cached(task.org_id, unscored)
        out = self._out(task.org_id)
        rest = [source for source in rest if content_hash(source.text) not in out]
        if self._batches is None or not rest:
            scored = self._sentiment.score_sources(task.org_id, rest) if rest else []
            if len(unscored) == BATCH_SIZE and (cached or scored):  # a page moved on
                self._submit(task.org_id, f"{task.run_id}-next")
            return {"run_id": task.run_id, "status": "stored", "stored": len(cached) + len(scored)}
        texts = {f"s{i}": source.text.strip() for i, source in enumerate(rest)}
        batch_id = self._batches.submit(texts)
        items = [
            {
                "custom_id": f"s{i}",
                "source_type": s.source_type,
                "source_id": s.source_id,
                "content_hash": content_hash(s.text),
            }
            for i, s in enumerate(rest)
        ]
        self._store.set(
            self._record_path(task),
            {
                "batch_id": batch_id,
                "model": self._sentiment.engine.model,
                "status": "submitted",
                "items": items,
                "full": len(unscored) == BATCH_SIZE,
                "submitted_at": self._clock(),
            },
        )
        self._poll_later(task, 0)
        return {"run_id": task.run_id, "status": "submitted", "batch_id": batch_id}

    def _poll_later(self, task: BatchTask, polls: int) -> None:
        poll = BatchTask(org_id=task.org_id, action="poll", run_id=task.run_id, polls=polls)
        self._tasks.enqueue(
            QUEUE,
            poll.model_dump(),
            task_id=f"sentiment-{task.run_id}-poll-{polls}",
            delay_seconds=self._poll_seconds,
        )

    def _on_poll(self, task: BatchTask) -> dict[str, Any]:
        record = self._store.get(self._record_path(task))
        if record is None or record["status"] == "stored" or self._batches is None:
            return {"run_id": task.run_id, "status": "stored" if record else "unknown"}
        if not self._batches.ended(record["batch_id"]):
            self._poll_later(task, task.polls + 1)
            return {"run_id": task.run_id, "status": "in_progress"}
        results = self._batches.results(record["batch_id"])
        done = [
            (item["source_type"], item["source_id"], item["content_hash"], result)
            for item in record["items"]
            if (result := results.get(item["custom_id"])) is not None
        ]
        stored = self._sentiment.store_results(task.org_id, record["model"], done)
        self._store.set(self._record_path(task), {**record, "status": "stored"})
        if record.get("full"):
            self._submit(task.org_id, f"{task.run_id}-next")
        return {"run_id": task.run_id, "status": "stored", "stored": len(stored)}
