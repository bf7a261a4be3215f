"""The 4-hourly bulk sentiment job is idempotent for its window: a rerun in the same window and
a duplicate delivery of its task start no second Message Batch and leave every stored result
as it was; the next window with nothing new starts no batch at all, and with one new item
scores only that item; a batch still running when the next window (or a bulk-analyze request)
comes is not sent again. Through the real entry points (sentiment_bulk, sentiment_batch), the
local Cloud Tasks dispatcher delivering over HTTP, the Firestore emulator, DuckDB and the real
`anthropic` SDK against the Anthropic stand-in."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import functions_framework
import httpx
import pytest
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from shared.auth import Principal, Role
from shared.bootstrap import Services, services
from shared.config import get_settings
from shared.localstack.anthropic import LocalAnthropicServer
from shared.localstack.host import TaskDispatcherApp
from shared.localstack.stack import StackInfo
from shared.localstack.task_dispatcher import QueueWorker
from shared.sentiment.batches import QUEUE, batches_collection
from shared.sentiment.cache import cache_collection
from shared.topology import load_topology

pytestmark = pytest.mark.integration
MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"
SCORES_SQL = (
    "SELECT * FROM reachops.sentiment_scores WHERE org_id = @org_id ORDER BY source_type, source_id"
)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    app: Services
    org_id: str
    clock: Clock
    worker: QueueWorker
    standin: LocalAnthropicServer
    standin_clock: Clock
    batch_url: str
    bulk: FlaskClient


def serve(app: Any) -> tuple[Any, str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    local_stack: StackInfo,
    clean_firestore: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """Batches end at once, unless the test asks (indirect parameter) how many seconds of the
    stand-in's clock they take."""
    standin_clock = Clock(datetime(2026, 11, 20, 9, tzinfo=UTC))
    delay = float(getattr(request, "param", 0))
    standin = LocalAnthropicServer(batch_delay_seconds=delay, clock=standin_clock)
    anthropic_server, anthropic_url = serve(standin)
    batch_app = functions_framework.create_app("sentiment_batch", str(MAIN))  # type: ignore[no-untyped-call]
    batch_server, batch_url = serve(batch_app)
    worker = QueueWorker(QUEUE, load_topology().queues[QUEUE], batch_url + "/")
    dispatcher_server, dispatcher_url = serve(TaskDispatcherApp({QUEUE: worker}))
    settings = {
        "REACHOPS_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "REACHOPS_ANTHROPIC_API_KEY": "test-key",
        "REACHOPS_ANTHROPIC_BASE_URL": anthropic_url,
        "REACHOPS_ANTHROPIC_MAX_RETRIES": "0",
        "REACHOPS_LOCAL_DISPATCHER_URL": dispatcher_url,
        "REACHOPS_LOCAL_IDENTITY_KEY": "",
        "REACHOPS_SENTIMENT_POLL_SECONDS": "0.01",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    services.cache_clear()
    app = services()  # what both entry points use in this process
    clock = Clock(datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    app.__dict__["clock"] = clock  # before the job is built, so its windows follow this clock
    org, _ = app.orgs.create_org("Rerun Brand")
    bulk = functions_framework.create_app("sentiment_bulk", str(MAIN)).test_client()  # type: ignore[no-untyped-call]
    try:
        yield World(app, org.org_id, clock, worker, standin, standin_clock, batch_url, bulk)
    finally:
        dispatcher_server.shutdown()
        worker.stop()
        batch_server.shutdown()
        anthropic_server.shutdown()
        get_settings.cache_clear()
        services.cache_clear()


def give_feedback(world: World, feedback_id: str, text: str) -> None:
    row = {
        "org_id": world.org_id,
        "feedback_id": feedback_id,
        "person_id": None,
        "visitor_id": None,
        "rating": 8,
        "scale": "nps_0_10",
        "rating_0_10": 8.0,
        "text": text,
        "channel": "web",
        "created_at": datetime(2026, 11, 20, 8, tzinfo=UTC),
    }
    keys = ["org_id", "feedback_id", "created_at"]
    world.app.warehouse.merge_rows("feedback", [row], keys, update_existing=False)


def run_schedule(world: World, at: datetime, *, wait: bool = True) -> None:
    """Cloud Scheduler calls sentiment_bulk at `at`; `wait`: until every task it led to
    settled."""
    world.clock.now = at
    response = world.bulk.post("/")
    assert response.status_code == 200, response.text
    if wait:
        settle(world.worker)


def wait_until(done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def submit_settled(world: World, run_id: str) -> bool:
    task = world.worker.tasks.get(f"sentiment-{run_id}")
    return task is not None and task.status == "succeeded"


def settle(worker: QueueWorker, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = worker.stats()["counts"]
        if not counts.get("pending") and not counts.get("running"):
            assert not counts.get("failed"), worker.stats()["failed"]
            return
        time.sleep(0.05)
    raise AssertionError(f"tasks did not settle: {worker.stats()}")


def submit_names(world: World) -> set[str]:
    return {name for name in world.worker.tasks if "-poll-" not in name}


def batches_created(world: World) -> int:
    return sum(1 for call in world.standin.calls() if call["endpoint"] == "create_batch")


def snapshot(world: World) -> dict[str, Any]:
    """Everything a rerun could change: the stored results, the batch records, the cache."""
    store = world.app.store
    return {
        "scores": world.app.warehouse.run_statement(SCORES_SQL, {"org_id": world.org_id}),
        "batches": {d.id: d.data for d in store.query(batches_collection(world.org_id))},
        "cache": {d.id: d.data for d in store.query(cache_collection(world.org_id))},
    }


def test_a_rerun_in_the_same_window_changes_nothing(world: World) -> None:
    give_feedback(world, "fb-love", "I love the new jacket")
    give_feedback(world, "fb-late", "Delivery was late twice")
    run_schedule(world, datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    first = snapshot(world)
    assert {r["source_id"]: r["label"] for r in first["scores"]} == {
        "fb-late": "negative",
        "fb-love": "positive",
    }
    assert {r["engine"] for r in first["scores"]} == {"anthropic"}
    assert batches_created(world) == 1
    tasks = sorted(world.worker.tasks)

    run_schedule(world, datetime(2026, 11, 20, 11, 55, tzinfo=UTC))  # same 08:00-12:00 window
    assert sorted(world.worker.tasks) == tasks
    submit = next(t for t in world.worker.tasks.values() if t.payload["action"] == "submit")
    duplicate = httpx.post(  # Cloud Tasks delivers at least once: the same task again
        world.batch_url + "/",
        json=submit.payload,
        headers={"X-CloudTasks-QueueName": QUEUE, "X-CloudTasks-TaskName": submit.task_id},
        timeout=30,
    )
    assert duplicate.status_code == 200, duplicate.text
    settle(world.worker)
    assert batches_created(world) == 1
    assert snapshot(world) == first


def test_the_next_window_scores_only_what_is_new(world: World) -> None:
    give_feedback(world, "fb-love", "I love the new jacket")
    run_schedule(world, datetime(2026, 11, 20, 9, 5, tzinfo=UTC))
    first = snapshot(world)
    assert batches_created(world) == 1

    run_schedule(world, datetime(2026, 11, 20, 12, 5, tzinfo=UTC))  # nothing new to score
    assert batches_created(world) == 1
    assert snapshot(world) == first

    give_feedback(world, "fb-broken", "The zip broke on day one, terrible")
    run_schedule(world, datetime(2026, 11, 20, 16, 5, tzinfo=UTC))
    assert batches_created(world) == 2
    after = snapshot(world)
    new = [r for r in after["scores"] if r not in first["scores"]]
    assert [(r["source_id"], r["label"]) for r in new] == [("fb-broken", "negative")]
    assert [r for r in after["scores"] if r["source_id"] == "fb-love"] == first["scores"]
    latest = [b for key, b in after["batches"].items() if key not in first["batches"]]
    assert [[i["source_id"] for i in b["items"]] for b in latest] == [["fb-broken"]]


@pytest.mark.parametrize("world", [600], indirect=True)
def test_a_batch_still_running_is_not_sent_again(world: World) -> None:
    give_feedback(world, "fb-love", "I love the new jacket")
    give_feedback(world, "fb-late", "Delivery was late twice")
    run_schedule(world, datetime(2026, 11, 20, 9, 5, tzinfo=UTC), wait=False)
    wait_until(lambda: submit_settled(world, f"{world.org_id}-2026112008"))
    assert batches_created(world) == 1
    submits = submit_names(world)
    run_schedule(world, datetime(2026, 11, 20, 11, 55, tzinfo=UTC), wait=False)  # same window
    assert submit_names(world) == submits
    assert batches_created(world) == 1

    run_schedule(world, datetime(2026, 11, 20, 12, 5, tzinfo=UTC), wait=False)  # next window
    wait_until(lambda: submit_settled(world, f"{world.org_id}-2026112012"))
    admin = Principal(org_id=world.org_id, key_id="k1", role=Role.ADMIN)
    accepted = world.app.sentiment_batch_job.request(admin)  # POST /v1/sentiment/bulk-analyze
    wait_until(lambda: submit_settled(world, accepted.run_id))
    assert batches_created(world) == 1
    assert snapshot(world)["scores"] == []

    world.standin_clock.now += timedelta(seconds=601)  # the batch ends
    settle(world.worker)
    scores = snapshot(world)["scores"]
    assert sorted(r["source_id"] for r in scores) == ["fb-late", "fb-love"]
    assert batches_created(world) == 1
