"""The local stand-in for Cloud Tasks (which has no emulator).

It honours the same queue definitions terraform declares: dispatch rate, concurrency, attempts
and exponential-then-linear backoff, named-task de-duplication, and the X-CloudTasks-* headers
the real service sends. Delivery is HTTP POST to the queue's target function, carrying the
identity the real queue's tasks carry (the tasks invoker's OIDC token; see
shared/localstack/identities.py), so the target's invoker check sees what production sees.

Creating a task needs roles/cloudtasks.enqueuer on the queue, which terraform grants only to
the functions whose topology `enqueues` names it: `RequireEnqueuer` checks the same thing in
front of the dispatcher's enqueue endpoint, so a function enqueuing to a queue it does not
declare fails locally (403) as it would in production.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

from shared.localstack.identities import OPERATOR, LocalIdentities, function_account, refuse
from shared.topology import QueueSpec, Topology

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)


def next_dispatch_at(last_dispatch: float | None, now: float, rate_per_second: float) -> float:
    """The earliest moment the next task may go out at this queue's rate."""
    if last_dispatch is None:
        return now
    return max(now, last_dispatch + 1.0 / rate_per_second)


def enqueue_audience(queue: str) -> str:
    """What an enqueue token is minted for: the queue (Cloud Tasks checks IAM per queue)."""
    return f"cloudtasks/{queue}"


def enqueuers(topology: Topology) -> dict[str, frozenset[str]]:
    """Queue -> the accounts holding roles/cloudtasks.enqueuer on it: each function whose
    `enqueues` names it (terraform's `enqueuer_bindings`), and the operator."""
    return {
        queue: frozenset({OPERATOR, *map(function_account, topology.enqueuers(queue))})
        for queue in topology.queues
    }


class RequireEnqueuer:
    """Cloud Tasks' IAM check in front of the dispatcher: creating a task (POST /<queue>) needs
    a valid identity token for that queue (401) of an account allowed to enqueue to it (403);
    reading a queue's state (GET, the stack's own reporting) is open."""

    def __init__(
        self,
        app: WSGIApplication,
        allowed: Mapping[str, frozenset[str]],
        identities: LocalIdentities,
    ) -> None:
        self._app = app
        self._allowed = dict(allowed)
        self._identities = identities

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        queue = str(environ.get("PATH_INFO", "")).strip("/")
        if environ.get("REQUEST_METHOD") != "POST" or queue not in self._allowed:
            return self._app(environ, start_response)
        header = str(environ.get("HTTP_AUTHORIZATION", ""))
        token = header.removeprefix("Bearer ") if header.startswith("Bearer ") else ""
        account = self._identities.account_of(token, enqueue_audience(queue)) if token else None
        if account is None:
            return refuse(401, f"no valid identity token to enqueue to {queue}", start_response)
        if account not in self._allowed[queue]:
            why = f"{account} does not hold roles/cloudtasks.enqueuer on {queue}"
            return refuse(403, why, start_response)
        return self._app(environ, start_response)


@dataclass
class TaskRecord:
    queue: str
    task_id: str
    payload: dict[str, Any]
    retries: int = 0
    status: str = "pending"
    last_status_code: int | None = None
    last_error: str | None = None


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    task: TaskRecord = field(compare=False)


class QueueWorker:
    """One queue: a scheduler thread feeding a pool no larger than max_concurrent_dispatches."""

    def __init__(
        self,
        name: str,
        spec: QueueSpec,
        target_url: str,
        clock: Callable[[], float] = time.monotonic,
        identity: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.spec = spec
        self.target_url = target_url
        self._identity = dict(identity or {})
        self.tasks: dict[str, TaskRecord] = {}
        self._clock = clock
        self._heap: list[_Due] = []
        self._seq = itertools.count()
        self._slots = threading.BoundedSemaphore(spec.max_concurrent_dispatches)
        self._pool = ThreadPoolExecutor(spec.max_concurrent_dispatches, thread_name_prefix=name)
        self._http = httpx.Client(timeout=600)
        self._wake = threading.Condition()
        self._last_dispatch: float | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"queue-{name}", daemon=True)
        self._thread.start()

    def enqueue(self, task_id: str, payload: dict[str, Any], delay_seconds: float = 0) -> bool:
        """False when a task of that name was already enqueued (Cloud Tasks' de-duplication)."""
        with self._wake:
            if task_id in self.tasks:
                return False
            record = TaskRecord(self.name, task_id, payload)
            self.tasks[task_id] = record
            self._schedule(record, self._clock() + max(delay_seconds, 0))
            return True

    def stats(self) -> dict[str, Any]:
        with self._wake:
            by_status: dict[str, int] = {}
            for record in self.tasks.values():
                by_status[record.status] = by_status.get(record.status, 0) + 1
            failed = [vars(r) for r in self.tasks.values() if r.status == "failed"]
            pending = [vars(r) for r in self.tasks.values() if r.status == "pending"]
            return {"queue": self.name, "counts": by_status, "failed": failed, "pending": pending}

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _schedule(self, record: TaskRecord, at: float) -> None:
        heapq.heappush(self._heap, _Due(at, next(self._seq), record))
        self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                task = self._next_due_task()
                if task is None:
                    return
                self._last_dispatch = self._clock()
                task.status = "running"
            self._slots.acquire()
            self._pool.submit(self._deliver, task)

    def _next_due_task(self) -> TaskRecord | None:
        """Wait (holding the condition) for a task that is due and allowed by the rate."""
        while not self._stopped:
            now = self._clock()
            if self._heap:
                due = max(
                    self._heap[0].at,
                    next_dispatch_at(self._last_dispatch, now, self.spec.max_dispatches_per_second),
                )
                if due <= now:
                    return heapq.heappop(self._heap).task
                self._wake.wait(timeout=due - now)
            else:
                self._wake.wait(timeout=1)
        return None

    def _deliver(self, task: TaskRecord) -> None:
        try:
            headers = {
                **self._identity,
                "X-CloudTasks-QueueName": self.name,
                "X-CloudTasks-TaskName": task.task_id,
                "X-CloudTasks-TaskRetryCount": str(task.retries),
                "X-CloudTasks-TaskExecutionCount": str(task.retries),
            }
            try:
                response = self._http.post(self.target_url, json=task.payload, headers=headers)
                task.last_status_code, task.last_error = response.status_code, None
                succeeded = response.is_success
                if not succeeded:
                    task.last_error = response.text[:500]
            except httpx.HTTPError as exc:
                task.last_status_code, task.last_error, succeeded = None, str(exc), False
            self._settle(task, succeeded)
        finally:
            self._slots.release()

    def _settle(self, task: TaskRecord, succeeded: bool) -> None:
        with self._wake:
            if succeeded:
                task.status = "succeeded"
            elif task.retries + 1 >= self.spec.max_attempts:
                task.status = "failed"
                logger.warning(
                    "task %s/%s failed for good: %s", self.name, task.task_id, task.last_error
                )
            else:
                task.retries += 1
                task.status = "pending"
                self._schedule(task, self._clock() + self.spec.backoff_seconds(task.retries))
