"""Raised alerts and ingested scrape runs publish through the outbox: during a Pub/Sub outage
the sync that raises an alert and the ingest that finishes a job both succeed, their events
wait in Firestore, and the relay publishes each exactly once. Firestore emulator, the local
Apify server through the real apify-client, Pub/Sub behind an outage switch."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.creators.models import CreatorCreate
from shared.scraping.ingest import POSTS_INGESTED
from shared.scraping.models import JobStatus
from shared.scraping.planning import MonitoredProfile, plan_jobs
from shared.scraping.webhook import WebhookPayload, WebhookRun, finished_event
from tests.integration.test_decisions_once import OutageBus
from tests.integration.test_ingest_recovers import apify_url, pipeline

pytestmark = pytest.mark.integration
__all__ = ["apify_url", "pipeline"]  # fixtures, used by name


def behind_outage(services: Services) -> OutageBus:
    bus = OutageBus(services.bus)
    services.__dict__["bus"] = bus  # every service built from here on publishes through it
    return bus


def test_an_alert_raised_during_an_outage_is_relayed_once(pipeline: Services) -> None:
    bus = behind_outage(pipeline)
    org, _ = pipeline.orgs.create_org("Alerts")

    def raise_it() -> bool:
        return pipeline.spend_alerts.raise_alert(
            org.org_id,
            key="spend-555-daily",
            kind="spend_limit",
            subject="555",
            message="over",
            data={"n": 1},
        )

    bus.down = True
    assert raise_it()
    assert not raise_it()
    assert bus.published == []

    bus.down = False
    assert pipeline.outbox.relay() == 1
    assert pipeline.outbox.relay() == 0
    assert [(e.type, e.event_id) for e in bus.published] == [("alert.raised", "spend-555-daily")]


def test_an_ingest_during_an_outage_finishes_its_job_and_its_event_is_relayed_once(
    pipeline: Services,
) -> None:
    bus = behind_outage(pipeline)
    org, _ = pipeline.orgs.create_org("Ingest")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    profile = {"platform": "instagram", "username": "trail.anna"}
    creator = pipeline.creators.create(
        owner, CreatorCreate.model_validate_json(json.dumps({"name": "A", "profiles": [profile]}))
    )
    monitored = MonitoredProfile(
        creator.creator_id, creator.profiles[0].platform, "trail.anna", None
    )
    (plan, _) = plan_jobs(org.org_id, [monitored], datetime.now(UTC))
    assert pipeline.scrape_jobs.create(org.org_id, plan)
    job = pipeline.scrape_jobs.run(org.org_id, plan.job_id, task_retry_count=0)
    assert job.run_id
    while pipeline.scraper().get_run(job.run_id).status != "SUCCEEDED":
        time.sleep(0.05)
    payload = WebhookPayload(eventType="ACTOR.RUN.SUCCEEDED", resource=WebhookRun(id=job.run_id))

    bus.down = True
    pipeline.scrape_ingest.handle(finished_event(org.org_id, job.job_id, payload))
    assert pipeline.scrape_jobs.load(org.org_id, job.job_id).status is JobStatus.SUCCEEDED
    assert bus.published == []

    bus.down = False
    assert pipeline.outbox.relay() == 1
    assert pipeline.outbox.relay() == 0
    assert [(e.type, e.subject_id) for e in bus.published] == [(POSTS_INGESTED, job.job_id)]
