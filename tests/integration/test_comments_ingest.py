"""A comments run, end to end below the HTTP layer: planned for a campaign post, started
through the real apify-client against the local Apify server, ingested from a webhook delivered
twice, with each comment stored once (bounded per post) and scored once by the offline engine,
then read back as the creator's community health. Real Firestore emulator, real DuckDB."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from werkzeug.serving import make_server

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.campaigns.models import Platform
from shared.config import Settings
from shared.creators.models import CreatorCreate
from shared.events import SYSTEM_ACTOR, DomainEvent
from shared.localstack.apify import LocalApifyServer
from shared.localstack.apify.actors import find_actor
from shared.localstack.apify.catalog import post_key, sample_creators
from shared.localstack.stack import StackInfo
from shared.scraping.actors import ScrapeKind
from shared.scraping.comments import COMMENTS_INGESTED
from shared.scraping.models import JobStatus
from shared.scraping.planning import RefreshPost, plan_jobs
from shared.scraping.webhook import WebhookPayload, WebhookRun, finished_event
from shared.topology import load_topology

pytestmark = pytest.mark.integration
PER_POST = 5


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
        anthropic_api_key="",
    )
    return Services(settings, load_topology())


def count(services: Services, sql: str) -> int:
    row = duckdb.connect(str(services.settings.duckdb_path)).execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_a_comments_run_lands_once_and_is_scored_once(pipeline: Services) -> None:
    org, _ = pipeline.orgs.create_org("Chatty")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    account = sample_creators(find_actor("apify/instagram-scraper"))[0]
    creator = pipeline.creators.create(
        owner,
        CreatorCreate.model_validate_json(
            json.dumps(
                {"name": "Anna", "profiles": [{"platform": "instagram", "username": account}]}
            )
        ),
    )
    shortcode = post_key("instagram", account, 0)
    now = datetime.now(UTC)
    post = RefreshPost(
        creator_id=creator.creator_id,
        platform=Platform.INSTAGRAM,
        username=account,
        post_key=f"instagram__{shortcode}",
        url=f"https://www.instagram.com/p/{shortcode}/",
        until=now + timedelta(days=3),
        campaign_id="camp1",
    )
    planned = [
        j for j in plan_jobs(org.org_id, [], now, [post], PER_POST) if j.kind is ScrapeKind.COMMENTS
    ]
    assert len(planned) == 1
    assert pipeline.scrape_jobs.create(org.org_id, planned[0])
    job = pipeline.scrape_jobs.run(org.org_id, planned[0].job_id, task_retry_count=0)
    assert job.status is JobStatus.RUNNING
    assert job.run_id
    while pipeline.scraper().get_run(job.run_id).status != "SUCCEEDED":
        time.sleep(0.05)
    payload = WebhookPayload(eventType="ACTOR.RUN.SUCCEEDED", resource=WebhookRun(id=job.run_id))
    event = finished_event(org.org_id, job.job_id, payload)

    pipeline.scrape_ingest.handle(event)
    pipeline.scrape_ingest.handle(event)  # Apify delivers a webhook at least once

    done = pipeline.scrape_jobs.load(org.org_id, job.job_id)
    assert done.status is JobStatus.SUCCEEDED
    assert done.comments_ingested == PER_POST
    assert count(pipeline, "SELECT count(*) FROM reachops.post_comments") == PER_POST
    rows = pipeline.warehouse.run_statement(
        "SELECT DISTINCT campaign_id, creator_id FROM reachops.post_comments"
    )
    assert rows == [{"campaign_id": "camp1", "creator_id": creator.creator_id}]

    ingested = DomainEvent(
        event_id=f"{job.run_id}:comments",
        type=COMMENTS_INGESTED,
        org_id=org.org_id,
        subject_id=job.job_id,
        actor=SYSTEM_ACTOR,
        data={"post_keys": [post.post_key], "creator_ids": [creator.creator_id]},
    )
    assert pipeline.comment_sentiment.handle(ingested) == PER_POST
    pipeline.comment_sentiment.handle(ingested)
    scored = "SELECT count(*) FROM reachops.sentiment_scores WHERE source_type = 'comment'"
    assert count(pipeline, scored) == PER_POST
    engines = "SELECT count(*) FROM reachops.sentiment_scores WHERE engine != 'vader'"
    assert count(pipeline, engines) == 0

    health = pipeline.community_health.creator(owner, creator.creator_id)
    assert health.comments == PER_POST
    assert health.scored == PER_POST
    assert health.positive_share is not None
    assert health.negative_share is not None
    assert health.positive_share > 0
    assert health.negative_share > 0
    assert health.mean_toxicity is None  # VADER reports no toxicity
    assert "mean_toxicity" in health.unknown
