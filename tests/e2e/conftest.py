"""HTTP clients against the local gateway, one per role, in a fresh organization."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.localstack.stack import StackInfo


@dataclass
class Tenant:
    org_id: str
    clients: dict[Role, httpx.Client]

    def __getitem__(self, role: Role) -> httpx.Client:
        return self.clients[role]


def _tenant(app_services: Services, info: StackInfo, name: str) -> Tenant:
    org, owner = app_services.orgs.create_org(name)
    keys = {Role.OWNER: owner.api_key}
    for role in (Role.ADMIN, Role.MEMBER, Role.VIEWER):
        keys[role] = app_services.orgs.create_key_for_org(org.org_id, role, role.value).api_key
    clients = {
        role: httpx.Client(
            base_url=info.api_base_url + "/v1",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        for role, key in keys.items()
    }
    return Tenant(org.org_id, clients)


@pytest.fixture
def tenant(app_services: Services, local_stack: StackInfo) -> Iterator[Tenant]:
    made = _tenant(app_services, local_stack, "Agency One")
    yield made
    for client in made.clients.values():
        client.close()


@pytest.fixture
def other_tenant(app_services: Services, local_stack: StackInfo) -> Iterator[Tenant]:
    made = _tenant(app_services, local_stack, "Agency Two")
    yield made
    for client in made.clients.values():
        client.close()


@pytest.fixture
def anonymous(local_stack: StackInfo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_stack.api_base_url + "/v1", timeout=30) as client:
        yield client
