"""People and journeys through the local gateway: a visitor's page views sent before anyone
knew who they were join the person's journey once an email links them; paths and drop-off
read the same view; bad input is a 4xx naming the field; roles and tenants hold; DELETE
erases the person (a repeat is still a 204) and they are gone from every endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand

pytestmark = pytest.mark.e2e

ORIGIN = "https://shop.example"
EMAIL = "Journey.Person@Example.com"


def page_view(event_id: str, minutes_ago: int, path: str) -> dict[str, Any]:
    return {
        "type": "page_view",
        "event_id": event_id,
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat(),
        "url": f"{ORIGIN}{path}",
        "visitor_id": "visitor-1",
        "session_id": "session-1",
    }


def test_a_linked_visitor_brings_its_past_into_the_journey_until_erased(
    tenant: Tenant, other_tenant: Tenant, anonymous: httpx.Client
) -> None:
    brand_id = create_brand(tenant[Role.ADMIN])
    site = (
        tenant[Role.ADMIN]
        .post("/sites", json={"name": "Shop", "brand_id": brand_id, "allowed_origins": [ORIGIN]})
        .json()
    )
    sent = anonymous.post(
        "/track/events",
        json={"events": [page_view("a", 30, "/"), page_view("b", 20, "/pricing")]},
        headers={"X-Site-Key": site["site_key"], "Origin": ORIGIN},
    )
    assert sent.status_code == 202, sent.text

    body = {"email": EMAIL, "visitor_id": "visitor-1", "source": "newsletter_form"}
    assert (
        tenant[Role.VIEWER].post("/people/link-person-interactions", json=body).status_code == 403
    )
    bad = tenant[Role.MEMBER].post("/people/link-person-interactions", json={**body, "email": "x"})
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "email"
    linked = tenant[Role.MEMBER].post("/people/link-person-interactions", json=body)
    assert linked.status_code == 200, linked.text
    person_id = linked.json()["person_id"]
    assert linked.json()["linked"] is True
    again = tenant[Role.MEMBER].post("/people/link-person-interactions", json=body)
    assert (again.json()["person_id"], again.json()["linked"]) == (person_id, False)
    taken = tenant[Role.MEMBER].post(
        "/people/link-person-interactions", json={**body, "email": "other@example.com"}
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["field"] == "visitor_id"

    person = tenant[Role.ADMIN].get(f"/people/{person_id}")
    assert person.status_code == 200, person.text
    assert (person.json()["email"], person.json()["visitor_ids"]) == (EMAIL.lower(), ["visitor-1"])
    hidden = tenant[Role.VIEWER].get(f"/people/{person_id}").json()
    assert (hidden["email"], hidden["email_hidden"]) == (None, True)
    assert other_tenant[Role.OWNER].get(f"/people/{person_id}").status_code == 404

    journey = tenant[Role.VIEWER].get(f"/people/{person_id}/journey")
    assert journey.status_code == 200, journey.text
    events = journey.json()["events"]
    assert [(e["event"], e["stage"], e["channel"]) for e in events] == [
        ("page_view", "awareness", "web"),
        ("page_view", "awareness", "web"),
    ]
    assert journey.json()["truncated"] is False
    backwards = tenant[Role.VIEWER].get(
        f"/people/{person_id}/journey", params={"from": "2026-12-31", "to": "2020-01-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["error"]["field"] == "query.to"

    paths = tenant[Role.VIEWER].get("/journeys/paths", params={"n": 2})
    assert paths.status_code == 200, paths.text
    assert (paths.json()["paths"], paths.json()["reason"]) == (
        [],
        "no journey in the range has 2 steps",
    )
    assert tenant[Role.VIEWER].get("/journeys/paths", params={"n": 9}).status_code == 422
    dropoff = tenant[Role.VIEWER].get("/journeys/dropoff")
    assert dropoff.status_code == 200, dropoff.text
    assert dropoff.json()["journeys"] == 1
    assert dropoff.json()["stages"][0] == {
        "stage": "awareness",
        "reached": 1,
        "ended_here": 1,
        "continued_rate": 0.0,
    }
    assert other_tenant[Role.VIEWER].get("/journeys/dropoff").json()["journeys"] == 0

    assert tenant[Role.MEMBER].delete(f"/people/{person_id}").status_code == 403
    assert tenant[Role.ADMIN].delete(f"/people/{person_id}").status_code == 204
    assert tenant[Role.VIEWER].get(f"/people/{person_id}").status_code == 404
    assert tenant[Role.VIEWER].get(f"/people/{person_id}/journey").status_code == 404
    assert tenant[Role.VIEWER].get("/journeys/dropoff").json()["journeys"] == 0
    assert tenant[Role.ADMIN].delete(f"/people/{person_id}").status_code == 204
