"""Apify webhook intake: who may call it, and what it hands on.

The webhook URL of each run carries its organization, its job and an HMAC of both under the
webhook secret, checked in constant time: a caller can neither forge a run report nor point
one at another organization's job. Apify may deliver the same event twice (and retries a
non-2xx for about 32 hours); the event id is the run id and event type, so the hand-off over
Pub/Sub is deduplicated downstream.
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


def sign(secret: str, org_id: str, job_id: str) -> str:
    return hmac.new(secret.encode(), f"{org_id}:{job_id}".encode(), hashlib.sha256).hexdigest()


def webhook_url(base_url: str, secret: str, org_id: str, job_id: str) -> str:
    query = urlencode({"org": org_id, "job": job_id, "sig": sign(secret, org_id, job_id)})
    return f"{base_url}?{query}"


def verify(secret: str, org_id: str, job_id: str, signature: str) -> None:
    if not secret:
        raise Unauthenticated("webhook secret is not configured; refusing every report")
    if not hmac.compare_digest(sign(secret, org_id, job_id), signature):
        raise Unauthenticated("webhook signature does not match", field="query.sig")


class WebhookQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    org: str
    job: str
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


def finished_event(org_id: str, job_id: str, payload: WebhookPayload) -> DomainEvent:
    run = payload.resource
    data: dict[str, Any] = {"run_id": run.id, "event_type": payload.eventType, "status": run.status}
    return DomainEvent(
        event_id=f"{run.id}:{payload.eventType}",
        type=SCRAPE_FINISHED,
        org_id=org_id,
        subject_id=job_id,
        actor=APIFY_ACTOR,
        data=data,
    )
