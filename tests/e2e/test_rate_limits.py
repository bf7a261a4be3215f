"""Per-key quotas through the local gateway: the API functions enforce the gateway document's
own limits in Firestore (shared/http/distributed_limits.py), exactly as in production: per key,
per minute, checked before the handler runs. The call past a limit is a 429 with Retry-After
and the JSON error body; another key of the same organization is not affected."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from shared.http.openapi import quota_limits
from tests.e2e.conftest import Tenant

pytestmark = pytest.mark.e2e

MISSING_CAMPAIGN = "/campaigns/campaign-that-is-not-there"


def spend(client: httpx.Client, path: str, calls: int) -> set[int]:
    return {client.get(path).status_code for _ in range(calls)}


def assert_rate_limited(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "rate_limited"


def test_an_expensive_read_past_its_limit_is_a_429_and_other_keys_carry_on(
    tenant: Tenant,
) -> None:
    """A forecast is an expensive read: its limit is the tighter one, and a refused call is
    refused before the handler, whatever it would have said (here: a 404)."""
    owner = tenant[Role.OWNER]
    limit = quota_limits()["expensive-reads"]

    assert spend(owner, f"{MISSING_CAMPAIGN}/forecast", limit) == {404}
    assert_rate_limited(owner.get(f"{MISSING_CAMPAIGN}/forecast"))
    assert_rate_limited(owner.get("/ad-accounts/1/kpis"))  # the same metric, the same minute

    assert owner.get("/organization").status_code == 200  # its other quota is not spent
    assert tenant[Role.ADMIN].get(f"{MISSING_CAMPAIGN}/forecast").status_code == 404


def test_every_operation_shares_the_keys_per_minute_request_limit(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    limit = quota_limits()["api-requests"]

    assert spend(member, "/brands/brand-that-is-not-there", limit) == {404}
    assert_rate_limited(member.get("/organization"))
    assert tenant[Role.VIEWER].get("/organization").status_code == 200
