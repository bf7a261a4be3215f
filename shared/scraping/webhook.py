"""Apify webhook intake: who may call it, and what it hands on.

The webhook URL of each run carries its organization, its job, the claim that started the
run (shared/scraping/runs.py) and an HMAC of them under the webhook secret, checked in constant
time: a caller can neither forge a run report nor point one at another organization's job, and
a run whose id was never saved still names its job and claim. Apify may deliver the same event
twice (and retries a non-2xx for about 32 hours); the event id is the run id and event type, so
the hand-off over Pub/Sub is deduplicated downstream.

A signed URL proves which job a run was started for, not what the body says about the run: the
URL is visible wherever the run's webhooks are (Apify's console), and a body is easy to write.
So nothing is handed on until Apify's API confirms the report (`confirmed_event`): the run
exists, has ended, ended as the event says, and is of the actor the body names. A report that
is not (yet) true is refused with a 4xx that names the field, so a genuine but early one is
retried by Apify and a forged one changes nothing. The ingest then checks the run against the
job (its actor, its id or its claim) before any effect.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict

from shared.errors import Conflict, NotFound, Unauthenticated, Unavailable
from shared.events import Actor, DomainEvent
from shared.ports import ActorRun, Scraper, ScraperError

APIFY_ACTOR = Actor(kind="system", id="apify")
SCRAPE_FINISHED = "scrape.finished"
RETRY_AFTER_SECONDS = 60
"""Sent with a 503 when Apify's API cannot confirm a report now; Apify retries the delivery."""
# Apify's webhook event for each status a run ends in.
EVENT_OF_STATUS = {
    "SUCCEEDED": "ACTOR.RUN.SUCCEEDED",
    "FAILED": "ACTOR.RUN.FAILED",
    "TIMED-OUT": "ACTOR.RUN.TIMED_OUT",
    "ABORTED": "ACTOR.RUN.ABORTED",
}


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
    expected = sign(secret, org_id, job_id, claim_id).encode()
    # Compared as bytes: compare_digest refuses text that is not ASCII (a forged `sig` may be).
    if not hmac.compare_digest(expected, signature.encode("utf-8", "surrogateescape")):
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


def report_mismatch(payload: WebhookPayload, run: ActorRun) -> tuple[str, str] | None:
    """(field, why) when the report says what Apify's own record of the run does not."""
    reported = payload.resource
    if run.status not in EVENT_OF_STATUS:
        return "eventType", f"Apify says run {run.run_id} is still {run.status}"
    if payload.eventType != EVENT_OF_STATUS[run.status]:
        return "eventType", f"Apify says run {run.run_id} ended {run.status}"
    if reported.status is not None and reported.status != run.status:
        return "resource.status", f"Apify says run {run.run_id} ended {run.status}"
    if reported.actId is not None and reported.actId != run.actor_id:
        return "resource.actId", f"run {run.run_id} is not a run of actor {reported.actId}"
    return None


def confirmed_event(scraper: Scraper, query: WebhookQuery, payload: WebhookPayload) -> DomainEvent:
    """The hand-off of a signed report, once Apify's API confirms it (see the module's doc)."""
    try:
        run = scraper.get_run(payload.resource.id)
    except NotFound as exc:
        raise NotFound(f"Apify knows no run {payload.resource.id}", field="resource.id") from exc
    except ScraperError as exc:
        raise Unavailable(f"Apify cannot confirm the report now: {exc}") from exc
    mismatch = report_mismatch(payload, run)
    if mismatch is not None:
        field, why = mismatch
        raise Conflict(f"the report does not match Apify's record: {why}", field=field)
    return finished_event(query.org, query.job, payload, query.claim)
