"""Roles gate what a key may do; organizations never see each other's data."""

from __future__ import annotations

import httpx
import pytest

from shared.auth import Role
from shared.http.openapi import Operation, operations
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign, ready_campaign, wait_for_activity

pytestmark = pytest.mark.e2e


def test_viewer_reads_but_cannot_write(tenant: Tenant) -> None:
    campaign = create_campaign(tenant[Role.MEMBER], create_brand(tenant[Role.ADMIN]))
    viewer = tenant[Role.VIEWER]
    campaign_path = f"/campaigns/{campaign['campaign_id']}"

    assert viewer.get(campaign_path).status_code == 200
    assert viewer.get("/brands").status_code == 200
    for response in [
        viewer.post("/campaigns", json=ready_campaign(campaign["brand_id"])),
        viewer.patch(campaign_path, json={"name": "x"}),
        viewer.post(f"{campaign_path}/activate"),
        viewer.post("/brands", json={"name": "B"}),
    ]:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    assert viewer.get(campaign_path).json() == campaign


def test_member_edits_campaigns_but_not_brands_or_keys(tenant: Tenant) -> None:
    member = tenant[Role.MEMBER]
    assert member.post("/brands", json={"name": "B"}).status_code == 403
    assert member.post("/api-keys", json={"role": "VIEWER", "name": "x"}).status_code == 403
    assert member.get("/api-keys").status_code == 403


def test_admin_manages_keys_but_cannot_mint_an_owner_or_delete_the_org(tenant: Tenant) -> None:
    admin = tenant[Role.ADMIN]
    viewer_key = admin.post("/api-keys", json={"role": "VIEWER", "name": "dashboard"})
    assert viewer_key.status_code == 201
    assert viewer_key.json()["api_key"].startswith("ro_")

    owner_key = admin.post("/api-keys", json={"role": "OWNER", "name": "escalate"})
    assert owner_key.status_code == 403
    assert owner_key.json()["error"]["field"] == "role"
    assert admin.delete("/organization").status_code == 403

    listed = admin.get("/api-keys").json()["items"]
    assert "dashboard" in {k["name"] for k in listed}
    assert all("api_key" not in k and "secret_sha256" not in k for k in listed)


def test_a_revoked_key_stops_working(tenant: Tenant) -> None:
    admin = tenant[Role.ADMIN]
    issued = admin.post("/api-keys", json={"role": "MEMBER", "name": "temp"}).json()
    headers = {"Authorization": f"Bearer {issued['api_key']}"}
    assert admin.get("/campaigns", headers=headers).status_code == 200

    assert admin.delete(f"/api-keys/{issued['key_id']}").status_code == 204

    assert admin.get("/campaigns", headers=headers).status_code == 401


def test_owner_deletes_the_organization_and_its_keys_die_with_it(tenant: Tenant) -> None:
    owner = tenant[Role.OWNER]
    create_campaign(owner, create_brand(owner))

    assert owner.delete("/organization").status_code == 202

    assert owner.get("/campaigns").status_code == 401
    assert tenant[Role.VIEWER].get("/brands").status_code == 401


def test_another_organizations_campaign_is_404_everywhere(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_campaign(other_tenant[Role.MEMBER], create_brand(other_tenant[Role.ADMIN]))
    path = f"/campaigns/{theirs['campaign_id']}"
    mine = tenant[Role.OWNER]

    for response in [
        mine.get(path),
        mine.patch(path, json={"name": "hijacked"}),
        mine.post(f"{path}/activate"),
        mine.get(f"{path}/activity"),
        mine.get(f"/brands/{theirs['brand_id']}"),
        mine.post("/campaigns", json=ready_campaign(theirs["brand_id"])),
    ]:
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "not_found"
        assert "budget" not in response.text
    assert mine.get("/campaigns").json()["items"] == []
    assert other_tenant[Role.VIEWER].get(path).json() == theirs
    wait_for_activity(other_tenant[Role.VIEWER], theirs["campaign_id"], {"campaign.created"})


@pytest.mark.parametrize(
    "operation", [op for op in operations() if not op.public], ids=lambda op: op.operation_id
)
def test_every_route_reaches_its_function_and_demands_a_key(
    anonymous: httpx.Client, operation: Operation
) -> None:
    """The gateway routes every operation in the document to a function that answers it:
    without a key each says 401 in our error shape, never the gateway's 404."""
    path = operation.path.removeprefix("/v1").replace("{", "").replace("}", "")
    response = anonymous.request(operation.method, path)
    assert response.status_code == 401, (operation.operation_id, response.text)
    assert response.json()["error"]["code"] == "unauthenticated"
