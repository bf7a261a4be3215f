"""The Firestore adapter against the emulator: the guarantees services build on."""

from __future__ import annotations

from typing import Any

import pytest

from shared.bootstrap import Services
from shared.errors import Conflict

pytestmark = pytest.mark.integration


def test_create_writes_once_and_reports_a_second_attempt(app_services: Services) -> None:
    store = app_services.store
    assert store.create("things/a", {"n": 1}) is True
    assert store.create("things/a", {"n": 2}) is False
    assert store.get("things/a") == {"n": 1}


def test_atomic_update_sees_current_data_and_an_abort_writes_nothing(
    app_services: Services,
) -> None:
    store = app_services.store
    store.set("counters/c", {"value": 1})

    def bump(data: dict[str, Any] | None) -> dict[str, Any]:
        assert data is not None
        return {"value": data["value"] + 1}

    assert store.update_atomically("counters/c", bump) == {"value": 2}

    def refuse(data: dict[str, Any] | None) -> dict[str, Any]:
        raise Conflict("no")

    with pytest.raises(Conflict):
        store.update_atomically("counters/c", refuse)
    assert store.get("counters/c") == {"value": 2}


def test_query_filters_orders_and_resumes_after_a_position(app_services: Services) -> None:
    store = app_services.store
    for i in range(6):
        store.set(f"items/i{i}", {"rank": i, "kind": "even" if i % 2 == 0 else "odd"})

    evens = store.query("items", where=[("kind", "==", "even")], order_by=[("rank", "desc")])
    assert [d.id for d in evens] == ["i4", "i2", "i0"]

    rest = store.query("items", order_by=[("rank", "asc")], start_after=[2], limit=2)
    assert [d.data["rank"] for d in rest] == [3, 4]


def test_delete_tree_removes_a_document_and_everything_below(app_services: Services) -> None:
    store = app_services.store
    store.set("orgs/o1", {"name": "o"})
    store.set("orgs/o1/campaigns/c1", {"name": "c"})
    store.set("orgs/o1/campaigns/c1/activity/e1", {"type": "x"})
    store.set("orgs/o2", {"name": "other"})

    store.delete_tree("orgs/o1")

    assert store.get("orgs/o1") is None
    assert store.get("orgs/o1/campaigns/c1/activity/e1") is None
    assert store.get("orgs/o2") == {"name": "other"}


def test_an_event_left_in_the_outbox_is_published_by_the_relay(
    app_services: Services,
) -> None:
    """The change commits with its event in the outbox; if publishing fails, the relay
    publishes it later, once."""
    import json

    from shared.auth import Principal, Role
    from shared.brands.models import BrandCreate
    from shared.campaigns.models import CampaignCreate
    from shared.campaigns.service import campaigns_collection
    from shared.outbox import OUTBOX, OUTBOX_PENDING

    org, _ = app_services.orgs.create_org("Outbox")
    owner = Principal(org.org_id, "k1", Role.OWNER)
    brand = app_services.brands.create(owner, BrandCreate(name="B"))
    body = {
        "brand_id": brand.brand_id,
        "name": "C",
        "budget": 100,
        "currency": "EUR",
        "goals": ["reach"],
    }
    campaign = app_services.campaigns.create(
        owner, CampaignCreate.model_validate_json(json.dumps(body))
    )
    path = f"{campaigns_collection(org.org_id)}/{campaign.campaign_id}"
    stored = app_services.store.get(path)
    assert stored is not None
    assert stored[OUTBOX] == []
    assert stored[OUTBOX_PENDING] is False

    stranded = {
        **stored,
        OUTBOX: [{**stored_event(campaign.campaign_id, org.org_id)}],
        OUTBOX_PENDING: True,
    }
    app_services.store.set(path, stranded)
    assert app_services.outbox.relay() == 1
    assert app_services.outbox.relay() == 0
    cleared = app_services.store.get(path)
    assert cleared is not None
    assert cleared[OUTBOX] == []


def stored_event(campaign_id: str, org_id: str) -> dict[str, object]:
    from shared.events import SYSTEM_ACTOR, DomainEvent

    return DomainEvent(
        event_id=f"{campaign_id}.v9",
        type="campaign.updated",
        org_id=org_id,
        subject_id=campaign_id,
        actor=SYSTEM_ACTOR,
        data={"changed": ["name"]},
    ).model_dump(mode="json")
