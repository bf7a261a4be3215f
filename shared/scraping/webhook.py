"""Apify webhook intake: who may call it, and what it hands on.

The webhook URL of each run carries its organization, its job, the claim that started the
run (shared/scraping/runs.py) and an HMAC of them under the webhook secret, checked in constant
time: a caller can neither forge a run report nor point one at another organization's job, and
a run whose id was never saved still names its job and claim. Apify may deliver the same event
twice (and retries a non-2xx for about 32 hours); the event id is the run id and event type, so
the hand-off over Pub/Sub is deduplicated downstream. The payload is only a hint: the ingest
acts on the run's status as Apify's API reports it, never on `eventType`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict

from shared.errors import Unauthenticated
from shared.events import Actor, DomainEvent

APIFY_ACTOR = Actor(kind="system", id="apify")
SCRAPE_FINISHED = "scrape.finished"


def sign(secret: str, org_id: str, job_id: str, claim_id: str | None = None) -> str:
    """URLs made before claims existed sign the organization and job only, and stay valid."""
    message = f"{org_id}:{job_id}" if claim_id is None else f"{org_id}:{job_id}:{claim_id}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def webhook_url(base_url: str, secret: str, org_id: str, job_id: str, claim_id: str) -> str:
    signature = sign(secret, org_id, job_id, claim_id)
    query = urlencode({"org": org_id, "job": job_id, "claim": claim_id, "sig": signature})
    return f"{base_url}?{query}"


def verify(
    secret: str, org_id: str, job_id: str, signature: str, claim_id: str | None = None
) -> None:
    if not secret:
        raise Unauthenticated("webhook secret is not configured; refusing every report")
    if not hmac.compare_digest(sign(secret, org_id, job_id, claim_id), signature):
        raise Unauthenticated("webhook signature does not match", field="query.sig")


class WebhookQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    org: str
    job: str
    claim: str | None = None
    sig: str


class WebhookRun(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    actId: str | None = None  # noqa: N815 - Apify's field name
    status: str | None = None


class WebhookPayload(BaseModel):
    """Apify's default payload: {userId, createdAt, eventType, eventData, resource}."""

    model_config = ConfigDict(extra="ignore")

    eventType: str  # noqa: N815 - Apify's field name
    resource: WebhookRun


def finished_event(
    org_id: str, job_id: str, payload: WebhookPayload, claim_id: str | None = None
) -> DomainEvent:
    run = payload.resource
    data: dict[str, Any] = {
        "run_id": run.id,
        "claim_id": claim_id,
        "event_type": payload.eventType,
        "status": run.status,
    }
    return DomainEvent(
        event_id=f"{run.id}:{payload.eventType}",
        type=SCRAPE_FINISHED,
        org_id=org_id,
        subject_id=job_id,
        actor=APIFY_ACTOR,
        data=data,
    )
