"""The Apify webhook intake as Apify calls it: signed URLs only, clear errors, quick answers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared.localstack.stack import StackInfo
from shared.scraping.webhook import sign, webhook_url

pytestmark = pytest.mark.integration

PAYLOAD: dict[str, Any] = {
    "userId": "u1",
    "createdAt": "2026-11-21T06:00:00.000Z",
    "eventType": "ACTOR.RUN.SUCCEEDED",
    "eventData": {"actorId": "a1", "actorRunId": "run1"},
    "resource": {"id": "run1", "actId": "a1", "status": "SUCCEEDED"},
}


def intake(stack: StackInfo) -> str:
    return f"{stack.functions_base_url}/apify_webhook"


def test_a_signed_report_is_accepted(local_stack: StackInfo) -> None:
    url = webhook_url(intake(local_stack), local_stack.apify_webhook_secret, "org1", "job1", "c1")
    response = httpx.post(url, json=PAYLOAD, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"accepted": True}


def test_a_url_signed_before_claims_existed_is_still_accepted(local_stack: StackInfo) -> None:
    signature = sign(local_stack.apify_webhook_secret, "org1", "job1")
    response = httpx.post(
        intake(local_stack), params={"org": "org1", "job": "job1", "sig": signature}, json=PAYLOAD
    )
    assert response.status_code == 200


def test_a_claim_the_signature_does_not_cover_is_refused(local_stack: StackInfo) -> None:
    """Else a caller could point a run's report at a claim that would adopt it."""
    url = webhook_url(intake(local_stack), local_stack.apify_webhook_secret, "org1", "job1", "c1")
    response = httpx.post(url.replace("claim=c1", "claim=c2"), json=PAYLOAD, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "query.sig"


@pytest.mark.parametrize(
    ("org", "job", "signed_for"),
    [("org1", "job1", ("org1", "job2")), ("org2", "job1", ("org1", "job1"))],
)
def test_a_signature_for_another_job_or_org_is_refused(
    local_stack: StackInfo, org: str, job: str, signed_for: tuple[str, str]
) -> None:
    signature = sign(local_stack.apify_webhook_secret, *signed_for)
    response = httpx.post(
        intake(local_stack), params={"org": org, "job": job, "sig": signature}, json=PAYLOAD
    )
    assert response.status_code == 401
    assert response.json()["error"]["field"] == "query.sig"


def test_missing_parameters_and_bad_bodies_are_named(local_stack: StackInfo) -> None:
    missing = httpx.post(intake(local_stack), params={"org": "org1"}, json=PAYLOAD)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "query.job"

    url = webhook_url(intake(local_stack), local_stack.apify_webhook_secret, "org1", "job1", "c1")
    no_run = httpx.post(url, json={"eventType": "ACTOR.RUN.SUCCEEDED"})
    assert no_run.status_code == 422
    assert no_run.json()["error"]["field"] == "resource"
    garbage = httpx.post(url, content=b"{", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 422
