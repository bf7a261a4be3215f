"""The local Cloud Tasks stand-in against a real HTTP target: retries with backoff, gives up
after max_attempts, de-duplicates named tasks and never exceeds its concurrency."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.adapters.local_task_queue import LocalTaskQueue
from shared.localstack.host import TaskDispatcherApp, queue_workers
from shared.localstack.identities import TASKS_INVOKER, LocalIdentities
from shared.localstack.task_dispatcher import QueueWorker
from shared.topology import QueueSpec

pytestmark = pytest.mark.integration


class Target:
    """Records deliveries; fails a task's first `failures[task]` attempts with a 503."""

    def __init__(self) -> None:
        self.deliveries: list[dict[str, Any]] = []
        self.failures: dict[str, int] = {}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        name = request.headers["X-CloudTasks-TaskName"]
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self.deliveries.append(
                {
                    "task": name,
                    "retry": int(request.headers["X-CloudTasks-TaskRetryCount"]),
                    "body": json.loads(request.get_data()),
                    "authorization": request.headers.get("Authorization"),
                }
            )
            failing = self.failures.get(name, 0) > 0
            if failing:
                self.failures[name] -= 1
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        status = 503 if failing else 200
        return Response("", status=status)(environ, start_response)


@pytest.fixture
def target() -> Iterator[tuple[Target, str]]:
    app = Target()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def spec(**overrides: Any) -> QueueSpec:
    settings: dict[str, Any] = {
        "target_function": "worker",
        "max_dispatches_per_second": 200,
        "max_concurrent_dispatches": 2,
        "max_attempts": 4,
        "min_backoff_seconds": 0.02,
        "max_backoff_seconds": 0.1,
        "max_doublings": 2,
    }
    settings.update(overrides)
    return QueueSpec.model_validate(settings)


def wait_until_settled(worker: QueueWorker, count: int, timeout: float = 20) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts: dict[str, int] = worker.stats()["counts"]
        if counts.get("succeeded", 0) + counts.get("failed", 0) == count:
            return counts
        time.sleep(0.02)
    raise AssertionError(f"tasks did not settle: {worker.stats()}")


def test_a_failing_task_is_retried_until_it_succeeds(target: tuple[Target, str]) -> None:
    app, url = target
    app.failures["t1"] = 2
    worker = QueueWorker("q", spec(), url)
    try:
        assert worker.enqueue("t1", {"job": 1})
        assert wait_until_settled(worker, 1) == {"succeeded": 1}
    finally:
        worker.stop()
    assert [(d["task"], d["retry"]) for d in app.deliveries] == [("t1", 0), ("t1", 1), ("t1", 2)]
    assert all(d["body"] == {"job": 1} for d in app.deliveries)


def test_a_task_that_keeps_failing_stops_at_max_attempts(target: tuple[Target, str]) -> None:
    app, url = target
    app.failures["doomed"] = 100
    worker = QueueWorker("q", spec(max_attempts=3), url)
    try:
        worker.enqueue("doomed", {})
        assert wait_until_settled(worker, 1) == {"failed": 1}
        failed = worker.stats()["failed"][0]
    finally:
        worker.stop()
    assert len(app.deliveries) == 3
    assert failed["last_status_code"] == 503


def test_a_named_task_is_enqueued_once(target: tuple[Target, str]) -> None:
    app, url = target
    worker = QueueWorker("q", spec(), url)
    try:
        assert worker.enqueue("same", {"n": 1}) is True
        assert worker.enqueue("same", {"n": 2}) is False
        wait_until_settled(worker, 1)
    finally:
        worker.stop()
    assert [d["body"] for d in app.deliveries] == [{"n": 1}]


def test_concurrency_never_exceeds_the_queue_limit(target: tuple[Target, str]) -> None:
    app, url = target
    app.delay = 0.05
    worker = QueueWorker("q", spec(max_concurrent_dispatches=2), url)
    try:
        for i in range(8):
            worker.enqueue(f"t{i}", {"i": i})
        assert wait_until_settled(worker, 8) == {"succeeded": 8}
    finally:
        worker.stop()
    assert app.peak_in_flight == 2


def test_tasks_reach_the_dispatcher_through_the_local_task_queue_adapter(
    target: tuple[Target, str],
) -> None:
    app, url = target
    worker = QueueWorker("scrapes", spec(), url)
    dispatcher = make_server("127.0.0.1", 0, TaskDispatcherApp({"scrapes": worker}), threaded=True)
    threading.Thread(target=dispatcher.serve_forever, daemon=True).start()
    queue = LocalTaskQueue(f"http://127.0.0.1:{dispatcher.server_port}")
    try:
        queue.enqueue("scrapes", {"profile": "a"}, task_id="scrape-a")
        queue.enqueue("scrapes", {"profile": "a"}, task_id="scrape-a")
        wait_until_settled(worker, 1)
    finally:
        dispatcher.shutdown()
        worker.stop()
    assert [d["body"] for d in app.deliveries] == [{"profile": "a"}]


def test_each_delivery_carries_the_tasks_invokers_identity_for_its_target(
    target: tuple[Target, str],
) -> None:
    """As a Cloud Tasks task carries an OIDC token of the tasks invoker, minted for the target."""
    app, url = target
    identities = LocalIdentities("k" * 32, "reachops-local")
    (worker,) = queue_workers({"q": spec()}, url.rstrip("/"), identities).values()
    try:
        worker.enqueue("t1", {"n": 1})
        wait_until_settled(worker, 1)
    finally:
        worker.stop()
    (delivery,) = app.deliveries
    token = str(delivery["authorization"]).removeprefix("Bearer ")
    assert identities.account_of(token, "worker") == TASKS_INVOKER
    assert identities.account_of(token, "another_function") is None
