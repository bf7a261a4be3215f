"""Breakdowns end to end: a sync through the local Graph API stand-in fills them, and
`GET /v1/ad-accounts/{id}/breakdowns` validates its parameters and answers per tenant.
(Object settings are read by the same sync; tests/integration/test_paid_breakdowns.py checks
their rows, as the functions host's warehouse is not readable from the test process.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shared.auth import Role
from shared.localstack.stack import StackInfo
from tests.e2e.conftest import Tenant
from tests.e2e.creator_flow import eventually

pytestmark = pytest.mark.e2e
EU_ACCOUNT = "100000000000101"
EU_CAMPAIGN = "120210000000001100"


@pytest.fixture
def graph(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{local_stack.graph_api_url}/_control", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client
        client.post("/reset").raise_for_status()


def connected_and_synced(tenant: Tenant) -> None:
    start = tenant[Role.ADMIN].post("/ad-accounts/connect", json={})
    landed = httpx.get(start.json()["authorize_url"], follow_redirects=True, timeout=60)
    assert landed.status_code == 200, landed.text
    member = tenant[Role.MEMBER]
    assert member.post(f"/ad-accounts/{EU_ACCOUNT}/sync").status_code == 202

    def done() -> dict[str, Any] | None:
        items = member.get("/ad-accounts").json()["items"]
        account = next(a for a in items if a["account_id"] == EU_ACCOUNT)
        return account if account["sync_status"] in ("succeeded", "failed") else None

    account = eventually(done, "the sync", timeout=180)
    assert account["sync_status"] == "succeeded", account["last_error"]


def test_breakdowns_are_synced_and_queryable_per_tenant(
    tenant: Tenant, other_tenant: Tenant, graph: httpx.Client
) -> None:
    connected_and_synced(tenant)
    viewer = tenant[Role.VIEWER]
    by_age = viewer.get(f"/ad-accounts/{EU_ACCOUNT}/breakdowns", params={"by": "age_gender"})
    assert by_age.status_code == 200, by_age.text
    table = by_age.json()
    assert (table["by"], table["level"]) == ("age_gender", "campaign")
    assert table["items"]
    assert all(set(i["dimensions"]) == {"age", "gender"} for i in table["items"])
    assert all(i["currency"] == "EUR" and i["spend_micros"] is not None for i in table["items"])

    by_placement = viewer.get(
        f"/ad-accounts/{EU_ACCOUNT}/breakdowns",
        params={"by": "placement", "level": "ad", "object_id": EU_CAMPAIGN},
    ).json()
    assert {i["dimensions"]["publisher_platform"] for i in by_placement["items"]} >= {"facebook"}
    totals = [
        sum(i["spend_micros"] for i in viewer.get(
            f"/ad-accounts/{EU_ACCOUNT}/breakdowns", params={"by": by}
        ).json()["items"])
        for by in ("age_gender", "country", "placement", "device")
    ]  # fmt: skip
    assert len(set(totals)) == 1, "every breakdown splits the same spend"

    for params, field in (
        ({"by": "zodiac"}, "query.by"),
        ({}, "query.by"),
        ({"by": "country", "level": "account"}, "query.level"),
        ({"by": "country", "since": "2026-02-30"}, "query.since"),
        ({"by": "country", "object_id": "1 OR 1=1"}, "query.object_id"),
    ):
        refused = viewer.get(f"/ad-accounts/{EU_ACCOUNT}/breakdowns", params=params)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["error"]["field"] == field
    stranger = other_tenant[Role.OWNER].get(
        f"/ad-accounts/{EU_ACCOUNT}/breakdowns", params={"by": "country"}
    )
    assert stranger.status_code == 404
