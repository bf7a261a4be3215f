"""A crash midway through an ingest loses nothing: the redelivered event finishes the work,
and a further redelivery changes nothing. Real Firestore emulator, real DuckDB warehouse, the
local Apify server through the real apify-client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from werkzeug.serving import make_server

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.creators.models import CreatorCreate
from shared.localstack.apify import LocalApifyServer
from shared.localstack.stack import StackInfo
from shared.scraping.ingest import posts_collection
from shared.scraping.models import JobStatus
from shared.scraping.planning import MonitoredProfile, plan_jobs
from shared.scraping.webhook import WebhookPayload, WebhookRun, finished_event
from shared.topology import load_topology

pytestmark = pytest.mark.integration


@pytest.fixture
def apify_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, LocalApifyServer(run_delay_seconds=0.05), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def pipeline(
    local_stack: StackInfo, clean_firestore: None, tmp_path: Path, apify_url: str
) -> Services:
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        apify_api_url=apify_url,
        apify_token="local",
        apify_webhook_secret="test-secret",
        apify_min_delay_between_retries_seconds=0.01,
    )
    return Services(settings, load_topology())


def snapshot_rows(services: Services) -> int:
    row = (
        duckdb.connect(str(services.settings.duckdb_path))
        .execute("SELECT count(*) FROM reachops.post_snapshots")
        .fetchone()
    )
    assert row is not None
    return int(row[0])


def test_a_crashed_ingest_is_finished_by_the_redelivery(pipeline: Services) -> None:
    org, _ = pipeline.orgs.create_org("Crashy")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    creator = pipeline.creators.create(
        owner,
        CreatorCreate.model_validate_json(
            json.dumps(
                {"name": "Anna", "profiles": [{"platform": "instagram", "username": "trail.anna"}]}
            )
        ),
    )
    (job_plan, _) = plan_jobs(
        org.org_id,
        [MonitoredProfile(creator.creator_id, creator.profiles[0].platform, "trail.anna", None)],
        datetime.now(UTC),
    )
    assert pipeline.scrape_jobs.create(org.org_id, job_plan)
    job = pipeline.scrape_jobs.run(org.org_id, job_plan.job_id, task_retry_count=0)
    assert job.status is JobStatus.RUNNING
    assert job.run_id
    while pipeline.scraper().get_run(job.run_id).status != "SUCCEEDED":
        time.sleep(0.05)
    payload = WebhookPayload(eventType="ACTOR.RUN.SUCCEEDED", resource=WebhookRun(id=job.run_id))
    event = finished_event(org.org_id, job.job_id, payload)

    pipeline.warehouse.run("schema/post_snapshots.sql")
    duckdb.connect(str(pipeline.settings.duckdb_path)).execute("DROP TABLE reachops.post_snapshots")
    with pytest.raises(duckdb.Error):
        pipeline.scrape_ingest.handle(event)
    assert pipeline.scrape_jobs.load(org.org_id, job.job_id).status is JobStatus.RUNNING

    pipeline.warehouse.apply_schema()
    pipeline.scrape_ingest.handle(event)
    pipeline.scrape_ingest.handle(event)

    done = pipeline.scrape_jobs.load(org.org_id, job.job_id)
    assert done.status is JobStatus.SUCCEEDED
    stored = pipeline.store.query(posts_collection(org.org_id))
    assert len(stored) == done.posts_ingested
    assert snapshot_rows(pipeline) == done.posts_ingested
