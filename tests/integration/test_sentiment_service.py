"""The sentiment service on real adapters (Firestore emulator, DuckDB) and the real SDK against
the Anthropic stand-in: a text is scored once per model whatever asks for it, an event is
scored once however often delivered, an exhausted credit pauses everything and raises one
alert, and the batch path stores what a batch scored and leaves the rest for the next run."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from shared.adaccounts.alerts import breaches_collection
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.errors import Unavailable
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.localstack.anthropic import LocalAnthropicServer
from shared.localstack.stack import StackInfo
from shared.sentiment.batches import BatchTask, SentimentBatchJob
from shared.sentiment.models import SentimentListQuery, SentimentSource
from shared.sentiment.pause import PAUSE_PATH
from shared.topology import load_topology

pytestmark = pytest.mark.integration
ORG = "org_sentiment"
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
ADMIN = Principal(org_id=ORG, key_id="k1", role=Role.ADMIN)


class RecordingTasks:
    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def enqueue(
        self,
        queue: str,
        payload: Mapping[str, Any],
        *,
        task_id: str | None = None,
        delay_seconds: float = 0,
    ) -> None:
        self.tasks.append({"queue": queue, "payload": dict(payload), "task_id": task_id})


@pytest.fixture
def standin() -> Iterator[LocalAnthropicServer]:
    app = LocalAnthropicServer(batch_delay_seconds=0)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.base_url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        server.shutdown()


@pytest.fixture
def world(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, standin: LocalAnthropicServer
) -> Services:
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        anthropic_api_key="test-key",
        anthropic_base_url=standin.base_url,  # type: ignore[attr-defined]
        anthropic_max_retries=0,
    )
    return Services(settings, load_topology())


def feedback(app: Services, feedback_id: str, text: str) -> None:
    row = {
        "org_id": ORG,
        "feedback_id": feedback_id,
        "person_id": None,
        "visitor_id": None,
        "rating": 9,
        "scale": "nps_0_10",
        "rating_0_10": 9.0,
        "text": text,
        "channel": "web",
        "created_at": AT,
    }
    app.warehouse.merge_rows(
        "feedback", [row], ["org_id", "feedback_id", "created_at"], update_existing=False
    )


def message_calls(standin: LocalAnthropicServer) -> int:
    return sum(1 for call in standin.calls() if call["endpoint"] == "message")


def test_a_text_is_scored_once_per_model(world: Services, standin: LocalAnthropicServer) -> None:
    items = [
        SentimentSource("feedback", "f1", "I love it"),
        SentimentSource("comment", "ig:1", "I love it "),
    ]
    records = world.sentiment.score_sources(ORG, items)
    assert [r.engine for r in records] == ["anthropic", "anthropic"]
    assert {r.content_hash for r in records} == {records[0].content_hash}
    assert message_calls(standin) == 1
    again = world.sentiment.score_sources(ORG, [SentimentSource("feedback", "f2", "I love it")])
    assert again[0].label == "positive"
    assert message_calls(standin) == 1


def test_an_event_is_scored_once(world: Services, standin: LocalAnthropicServer) -> None:
    feedback(world, "f9", "Delivery was late")
    event = DomainEvent(
        event_id="e1",
        type="feedback.created",
        org_id=ORG,
        subject_id="f9",
        actor=SYSTEM_ACTOR,
        data={"org_id": ORG, "feedback_id": "f9", "person_id": None},
    )
    assert world.sentiment.score_event(event) is True
    assert world.sentiment.score_event(event) is False
    assert message_calls(standin) == 1
    page = world.sentiment.list(ADMIN, SentimentListQuery())
    assert [(r.source_id, r.label, r.model) for r in page.items] == [
        ("f9", "negative", "claude-haiku-4-5")
    ]


def test_exhausted_credit_pauses_and_alerts_once(
    world: Services, standin: LocalAnthropicServer
) -> None:
    standin.set_faults(credit_exhausted=True)
    for text in ("first text", "second text"):
        with pytest.raises(Unavailable):
            world.sentiment.score_sources(ORG, [SentimentSource("feedback", text, text)])
    assert len(standin.calls()) == 1  # the pause is read before any further call
    assert world.store.get(PAUSE_PATH) is not None
    assert len(world.store.query(breaches_collection(ORG))) == 1
    job = SentimentBatchJob(
        store=world.store,
        warehouse=world.warehouse,
        sentiment=world.sentiment,
        batches=world.sentiment_batches,
        tasks=RecordingTasks(),
    )
    task = BatchTask(org_id=ORG, action="submit", run_id="r1")
    assert job.run(task)["status"] == "paused"


def test_the_batch_path_stores_results_and_leaves_expired_ones(
    world: Services, standin: LocalAnthropicServer
) -> None:
    for feedback_id, text in [("b1", "great stuff"), ("b2", "terrible"), ("b3", "late")]:
        feedback(world, feedback_id, text)
    world.sentiment.score_sources(ORG, [SentimentSource("feedback", "b3", "late")])  # cached
    tasks = RecordingTasks()
    job = SentimentBatchJob(
        store=world.store,
        warehouse=world.warehouse,
        sentiment=world.sentiment,
        batches=world.sentiment_batches,
        tasks=tasks,
        poll_seconds=0,
    )
    standin.set_faults(expired_next=1)
    submit = BatchTask(org_id=ORG, action="submit", run_id="r2")
    assert job.run(submit)["status"] == "submitted"
    assert job.run(submit)["status"] == "submitted"  # a retried submit starts no second batch
    assert sum(1 for c in standin.calls() if c["endpoint"] == "create_batch") == 1
    poll = BatchTask.model_validate(tasks.tasks[-1]["payload"])
    assert job.run(poll) == {"run_id": "r2", "status": "stored", "stored": 1}
    assert job.run(poll)["status"] == "stored"
    stored = {r.source_id: r for r in world.sentiment.list(ADMIN, SentimentListQuery()).items}
    assert set(stored) == {"b2", "b3"}  # b1 expired: the next run picks it up
    assert stored["b2"].label == "negative"
    remaining = job.run(BatchTask(org_id=ORG, action="submit", run_id="r3"))
    assert remaining["status"] == "submitted"
