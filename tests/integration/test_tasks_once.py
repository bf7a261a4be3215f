"""Cloud Tasks hand-offs happen once, through the local dispatcher: a task's name comes from
what it is (the same content twice is one task), and a scrape job whose first enqueue failed
(the queue unreachable) is enqueued, once, when the monitoring pass runs again."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from shared.adapters.local_task_queue import LocalTaskQueue
from shared.adapters.task_names import task_name
from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.campaigns.models import Platform
from shared.config import Settings
from shared.creators.models import CreatorCreate
from shared.errors import Unavailable
from shared.localstack.host import TaskDispatcherApp
from shared.localstack.task_dispatcher import QueueWorker
from shared.scraping.actors import ScrapeKind
from shared.scraping.jobs import SCRAPE_QUEUE
from shared.scraping.models import JobStatus, ScrapeTarget
from shared.scraping.planning import PlannedJob
from shared.topology import load_topology
from tests.integration.test_task_dispatcher import Target, spec, wait_until_settled

pytestmark = pytest.mark.integration


@pytest.fixture
def dispatcher() -> Iterator[tuple[Target, QueueWorker, str]]:
    """The local dispatcher with one scrape queue, delivering to a recording target."""
    target = Target()
    target_server = make_server("127.0.0.1", 0, target, threaded=True)
    threading.Thread(target=target_server.serve_forever, daemon=True).start()
    worker = QueueWorker(SCRAPE_QUEUE, spec(), f"http://127.0.0.1:{target_server.server_port}/")
    app = TaskDispatcherApp({SCRAPE_QUEUE: worker})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield target, worker, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    worker.stop()
    target_server.shutdown()


def test_an_unnamed_task_is_named_by_its_content(
    dispatcher: tuple[Target, QueueWorker, str],
) -> None:
    target, worker, url = dispatcher
    queue = LocalTaskQueue(url)
    queue.enqueue(SCRAPE_QUEUE, {"org_id": "o1", "job_id": "j1"})
    queue.enqueue(SCRAPE_QUEUE, {"job_id": "j1", "org_id": "o1"})
    queue.enqueue(SCRAPE_QUEUE, {"org_id": "o1", "job_id": "j2"})
    wait_until_settled(worker, 2)
    assert sorted(d["body"]["job_id"] for d in target.deliveries) == ["j1", "j2"]
    assert task_name("q", {"a": 1}, "ok-name_1") == "ok-name_1"
    assert task_name("q", {"a": 1}, "sync:1") == task_name("q", {"a": 1}, "sync:1")
    assert task_name("q", {"a": 1}, "sync:1") != task_name("q", {"a": 1}, "sync:2")


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_a_job_whose_first_enqueue_failed_is_enqueued_once_on_the_next_pass(
    local_stack: object,
    clean_firestore: None,
    tmp_path: Path,
    dispatcher: tuple[Target, QueueWorker, str],
) -> None:
    target, worker, url = dispatcher
    settings = Settings(duckdb_path=tmp_path / "w.duckdb", local_dispatcher_url=closed_port_url())
    services = Services(settings, load_topology())
    org, _ = services.orgs.create_org("Tasks")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    body = {"name": "Anna", "profiles": [{"platform": "instagram", "username": "trail.anna"}]}
    creator = services.creators.create(owner, CreatorCreate.model_validate_json(json.dumps(body)))
    target_profile = ScrapeTarget(creator_id=creator.creator_id, username="trail.anna")
    planned = [PlannedJob("job-1", ScrapeKind.POSTS, Platform.INSTAGRAM, None, (target_profile,))]

    with pytest.raises(Unavailable):
        services.scrape_jobs.hand_off(org.org_id, planned)
    assert services.scrape_jobs.load(org.org_id, "job-1").status is JobStatus.PENDING

    services.__dict__["tasks"] = LocalTaskQueue(url)  # the queue is reachable again
    services.__dict__.pop("scrape_jobs")
    services.scrape_jobs.hand_off(org.org_id, planned)
    services.scrape_jobs.hand_off(org.org_id, planned)
    wait_until_settled(worker, 1)
    assert [d["body"]["job_id"] for d in target.deliveries] == ["job-1"]
