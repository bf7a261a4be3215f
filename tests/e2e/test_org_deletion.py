"""The owner deletes the organization over HTTP: 202 with the request's record, every key dead
at once, the purge removes the data, and a late event through Pub/Sub brings nothing back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from shared.adaccounts.alerts import alerts_collection
from shared.auth import Role
from shared.bootstrap import Services
from shared.events import Actor, DomainEvent
from shared.orgs.deletion import DeletionStatus, OrgDeletion
from shared.orgs.purge import purge_grace
from tests.e2e.conftest import Tenant
from tests.e2e.helpers import create_brand, create_campaign

pytestmark = pytest.mark.e2e


def alert(org_id: str) -> DomainEvent:
    return DomainEvent(
        type="alert.raised",
        org_id=org_id,
        subject_id="acct-1",
        actor=Actor(kind="system", id="reachops"),
        data={"kind": "token_expiring", "message": "the Meta token expires in 7 days"},
    )


def wait_for_alert(app_services: Services, org_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app_services.store.query(alerts_collection(org_id)):
            return
        time.sleep(0.3)
    raise AssertionError(f"no alert reached organization {org_id}")


def test_deleting_the_organization_over_http_purges_it_and_late_events_stay_out(
    tenant: Tenant, other_tenant: Tenant, app_services: Services
) -> None:
    owner = tenant[Role.OWNER]
    campaign = create_campaign(owner, create_brand(owner))

    reply = owner.delete("/organization")

    assert reply.status_code == 202, reply.text
    deletion = OrgDeletion.model_validate(reply.json())
    assert (deletion.org_id, deletion.status) == (tenant.org_id, DeletionStatus.PENDING)
    assert deletion.keys_revoked == 4
    assert deletion.steps == {}
    for role in Role:
        assert tenant[role].get("/brands").status_code == 401
    assert other_tenant[Role.VIEWER].get("/brands").status_code == 200

    later = deletion.requested_at + purge_grace(app_services.topology) + timedelta(seconds=1)
    outcome = app_services.org_purge.run(now=later)

    assert tenant.org_id in outcome.finished
    assert not outcome.failed
    assert app_services.store.get(f"orgs/{tenant.org_id}") is None
    assert (
        app_services.store.get(f"orgs/{tenant.org_id}/campaigns/{campaign['campaign_id']}") is None
    )
    assert app_services.org_purge.report(tenant.org_id).status is DeletionStatus.DONE

    # A late alert for the deleted organization, then one for the other: once the second has
    # landed, the first has been handled, and refused.
    app_services.bus.publish(alert(tenant.org_id))
    app_services.bus.publish(alert(other_tenant.org_id))
    wait_for_alert(app_services, other_tenant.org_id)
    time.sleep(1)
    assert app_services.store.query(alerts_collection(tenant.org_id)) == []
    assert app_services.store.get(f"orgs/{tenant.org_id}") is None
