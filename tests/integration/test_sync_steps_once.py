"""An insight sync step delivered twice by Cloud Tasks (at-least-once) has one effect: the
same reports, and one next step, whose task is named by the step it is (not by the time it was
enqueued), so a duplicate never forks the sync into two chains of steps. The real Firestore
emulator, the Graph API stand-in, and the local dispatcher delivering to a recorder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from werkzeug.serving import make_server

from shared.adaccounts.service import SYNC_QUEUE
from shared.adapters.local_task_queue import LocalTaskQueue
from shared.localstack.host import TaskDispatcherApp
from shared.localstack.task_dispatcher import QueueWorker
from tests.integration.meta_sync_world import (
    EU,
    WORLD_POLL_SECONDS,
    WORLD_STUCK_AFTER,
    World,
    build_sync,
    control,
    graph_url,
    world,
)
from tests.integration.test_task_dispatcher import Target, spec

pytestmark = pytest.mark.integration
__all__ = ["control", "graph_url", "world"]  # fixtures, used by name


@pytest.fixture
def next_steps() -> Iterator[tuple[QueueWorker, str]]:
    target = Target()
    target_server = make_server("127.0.0.1", 0, target, threaded=True)
    threading.Thread(target=target_server.serve_forever, daemon=True).start()
    worker = QueueWorker(SYNC_QUEUE, spec(), f"http://127.0.0.1:{target_server.server_port}/")
    server = make_server("127.0.0.1", 0, TaskDispatcherApp({SYNC_QUEUE: worker}), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield worker, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    worker.stop()
    target_server.shutdown()


def test_a_sync_step_delivered_twice_has_one_effect(
    world: World,
    next_steps: tuple[QueueWorker, str],
) -> None:
    worker, url = next_steps
    services, clock = world.services, world.clock
    sync = build_sync(
        services,
        clock,
        tasks=LocalTaskQueue(url),
        poll_seconds=WORLD_POLL_SECONDS,
        stuck_after=WORLD_STUCK_AFTER,
    )
    org_id = world.org("twice").org_id
    sync_id = f"{EU}-twice"

    first = sync.run_task(org_id, EU, sync_id, "scheduled")
    started = sync.load(org_id, sync_id)
    assert started is not None
    clock.now += timedelta(seconds=3)  # the duplicate arrives a moment later
    again = sync.run_task(org_id, EU, sync_id, "scheduled")

    assert first["next_step_in_seconds"] is not None
    assert again["sync_id"] == first["sync_id"]
    queued = list(worker.tasks.values())  # each waits out its delay in the dispatcher
    assert len(queued) == 1, sorted(worker.tasks)
    assert queued[0].payload["step"] == 1
    stored = sync.load(org_id, sync_id)
    assert stored is not None
    reports = sorted(u.report_id or "" for u in started.units)
    assert sorted(u.report_id or "" for u in stored.units) == reports
