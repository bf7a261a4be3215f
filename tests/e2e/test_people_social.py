"""People's social identities and Lead Ads emails through the local gateway.

A person created with a handle (any spelling: "@Mira.K") gets the comments that handle wrote on
the organization's campaign posts (scraped through the Apify stand-in) as social_engage events
in their journey, customer timeline and engagement score; a handle added after the comments
were stored brings them at once (the backfill). A handle is one person's (409), an unknown
platform is a 422 naming the field, and DELETE frees the handle. A Lead Ads lead whose form
answered an email links the person it names, and its lead_capture is in their journey."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import (
    accepted_instagram_campaign,
    eventually,
    first_pass_with_a_campaign_post,
    jobs_finished,
    run_monitoring,
)
from tests.e2e.helpers import signed
from tests.e2e.test_paid_conversions import EU_ACCOUNT, connect_and_sync, graph

pytestmark = pytest.mark.e2e
__all__ = ["graph"]  # a fixture, used by name

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "meta"
WEBHOOK = "/webhooks/meta/leads"
COMMENTER = "mira.k"  # one of the stand-in's sample commenters (shared/localstack/apify)
LATE_COMMENTER = "dan_outdoors"


def events_of(client: httpx.Client, person_id: str) -> list[tuple[str, str, str]]:
    reply = client.get(f"/people/{person_id}/journey")
    assert reply.status_code == 200, reply.text
    return [(e["event"], e["stage"], e["channel"]) for e in reply.json()["events"]]


def test_comments_by_a_persons_handle_are_their_social_journey_until_erased(
    tenant: Tenant, other_tenant: Tenant, local_stack: StackInfo
) -> None:
    member, viewer, admin = tenant[Role.MEMBER], tenant[Role.VIEWER], tenant[Role.ADMIN]
    handle = {"platform": "instagram", "handle": " @Mira.K"}
    body = {"email": "mira@example.com", "social_handles": [handle]}
    assert viewer.post("/people", json=body).status_code == 403
    unknown = member.post(
        "/people", json={**body, "social_handles": [{"platform": "myspace", "handle": "m"}]}
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["field"].startswith("social_handles")
    created = member.post("/people", json=body)
    assert created.status_code == 201, created.text
    person_id = created.json()["person_id"]
    assert created.json()["social_handles"] == [{"platform": "instagram", "handle": COMMENTER}]
    again = member.post("/people", json=body)
    assert (again.status_code, again.json()["person_id"]) == (200, person_id)
    late = member.post("/people", json={"email": "dan@example.com"}).json()["person_id"]
    taken = member.patch(f"/people/{late}", json={"social_handles": [handle]})
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "social_handles"

    campaign_id, allocation = accepted_instagram_campaign(tenant)
    first = first_pass_with_a_campaign_post(local_stack, member, campaign_id, allocation)
    second = run_monitoring(local_stack)  # the campaign posts are known now: comments runs
    eventually(lambda: jobs_finished(member, len(set(first) | set(second))), "the comments run")

    social = eventually(lambda: events_of(viewer, person_id) or None, "the social journey")
    assert set(social) == {("social_engage", "awareness", "social")}
    assert events_of(viewer, late) == []
    patched = member.patch(
        f"/people/{late}",
        json={"social_handles": [{"platform": "instagram", "handle": "Dan_Outdoors"}]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["social_handles"] == [{"platform": "instagram", "handle": LATE_COMMENTER}]
    assert events_of(viewer, late)  # the comments stored before the handle: backfilled
    assert set(events_of(viewer, late)) == {("social_engage", "awareness", "social")}

    timeline = viewer.get(f"/customers/{person_id}/interactions").json()["items"]
    assert {i["event"] for i in timeline} == {"social_engage"}
    assert len(timeline) == len(social)
    run = member.post("/scores/calculate/engagement")
    assert run.status_code == 200, run.text
    (score,) = viewer.get(f"/scores/person/{person_id}").json()["items"]
    assert score["score_type"] == "engagement"
    assert score["value"] > 0
    assert score["breakdown"]["events"]["social_engage"]["events"] == len(social)
    assert other_tenant[Role.VIEWER].get(f"/people/{person_id}/journey").status_code == 404

    assert admin.delete(f"/people/{person_id}").status_code == 204
    assert viewer.get(f"/people/{person_id}").status_code == 404
    reborn = member.post("/people", json={**body, "email": "someone@example.com"})
    assert reborn.status_code == 201, reborn.text  # the erased person's handle is free again
    assert reborn.json()["social_handles"] == [{"platform": "instagram", "handle": COMMENTER}]


def test_a_lead_with_an_email_links_its_person_and_joins_their_journey(
    tenant: Tenant, anonymous: httpx.Client, local_stack: StackInfo, graph: httpx.Client
) -> None:
    connect_and_sync(tenant, EU_ACCOUNT)
    body = (CORPUS / "leadgen_with_email.json").read_bytes()
    for _ in range(2):  # Meta retries a delivery it thinks failed
        received = anonymous.post(
            WEBHOOK, content=body, headers=signed(body, local_stack.local_secret)
        )
        assert received.status_code == 200, received.text

    def recorded() -> list[dict[str, Any]] | None:
        found = tenant[Role.VIEWER].get("/conversions", params={"source": "meta_lead_ads"})
        items: list[dict[str, Any]] = found.json()["items"]
        return items or None

    (lead,) = eventually(recorded, "the lead conversion", timeout=30)
    assert lead["lead_id"] == "900000000000007"
    assert "example.com" not in str(lead).lower()
    known = tenant[Role.MEMBER].post("/people", json={"email": "LEAD.SAMPLE@example.com"})
    assert known.status_code == 200, known.text  # the lead made the person: not created now
    person_id = known.json()["person_id"]
    assert known.json()["visitor_ids"] == ["meta_lead:900000000000007"]
    assert events_of(tenant[Role.VIEWER], person_id) == [
        ("lead_capture", "consideration", "social")
    ]
