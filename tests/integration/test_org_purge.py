"""Deleting an organization removes everything it had, in order, resumably and only once, and
nothing written late brings any of it back (Firestore emulator, a DuckDB warehouse)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import functions_framework
import pytest

from shared.adaccounts.erasure import AdAccountErasure
from shared.auth import SITE_KEYS, authenticate
from shared.bootstrap import Services, services
from shared.errors import Unauthenticated
from shared.events import Actor, DomainEvent
from shared.localstack.stack import StackInfo
from shared.orgs.deletion import DeletionStatus, OrgDeleted, OrgDeletion, PurgeStep
from shared.orgs.purge import OrgPurge, purge_grace
from tests.integration.org_purge_world import (
    SeededOrg,
    firestore_documents,
    purge_services,
    seed_org,
    warehouse_rows,
)

pytestmark = pytest.mark.integration
MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture
def world(local_stack: StackInfo, clean_firestore: None, tmp_path: Path) -> Services:
    return purge_services(tmp_path)


def purge_now(services: Services, deletion: OrgDeletion, purge: OrgPurge | None = None) -> None:
    later = deletion.requested_at + purge_grace(services.topology) + timedelta(seconds=1)
    outcome = (purge or services.org_purge).run(now=later)
    assert not outcome.failed, outcome.failed


def assert_gone(services: Services, org: SeededOrg) -> None:
    assert firestore_documents(services, org.org_id) == []
    assert set(warehouse_rows(services, org.org_id).values()) == {0}
    with pytest.raises(KeyError):
        services.token_vault.load(org.token_reference)
    for api_key in org.api_keys:
        with pytest.raises(Unauthenticated):
            authenticate(services.store, f"Bearer {api_key}")
    assert services.store.query(SITE_KEYS, where=[("org_id", "==", org.org_id)]) == []


def test_a_purge_leaves_nothing_of_the_org_and_all_of_another(world: Services) -> None:
    doomed, other = seed_org(world, "Doomed"), seed_org(world, "Other")
    other_documents = firestore_documents(world, other.org_id)
    other_rows = warehouse_rows(world, other.org_id)
    assert len(other_rows) >= 10
    assert set(other_rows.values()) == {1}

    deletion = world.orgs.delete_org(doomed.owner)

    for api_key in doomed.api_keys:  # unusable at once, before any purge
        with pytest.raises(Unauthenticated):
            authenticate(world.store, f"Bearer {api_key}")
    assert deletion.keys_revoked == 2
    purge_now(world, deletion)

    assert_gone(world, doomed)
    assert firestore_documents(world, other.org_id) == other_documents
    assert warehouse_rows(world, other.org_id) == other_rows
    assert world.token_vault.load(other.token_reference) == "EAAB-Other"
    report = world.org_purge.report(doomed.org_id)
    assert report.status is DeletionStatus.DONE
    in_order = sorted(report.steps, key=lambda step: report.steps[step].finished_at)
    assert in_order == list(PurgeStep)  # keys first, the warehouse last
    assert report.steps[PurgeStep.KEYS].deleted == {"api_keys": 2, "site_keys": 1}
    assert report.steps[PurgeStep.TOKENS].deleted == {"tokens": 1}
    assert report.steps[PurgeStep.OAUTH_STATES].deleted == {"oauth_states": 1}
    assert report.steps[PurgeStep.FIRESTORE].deleted["documents"] >= 4
    assert report.warehouse_tables == dict.fromkeys(other_rows, 1)


def test_the_purge_waits_until_no_writer_can_still_miss_the_tombstone(world: Services) -> None:
    doomed = seed_org(world, "Doomed")
    before = warehouse_rows(world, doomed.org_id)
    deletion = world.orgs.delete_org(doomed.owner)

    outcome = world.org_purge.run(now=deletion.requested_at + timedelta(minutes=5))

    assert outcome.waiting == [doomed.org_id]
    assert outcome.finished == []
    assert warehouse_rows(world, doomed.org_id) == before
    assert world.org_purge.report(doomed.org_id).steps == {}


def test_a_purge_stopped_on_its_third_step_is_finished_by_the_next_run(world: Services) -> None:
    doomed, other = seed_org(world, "Doomed"), seed_org(world, "Other")
    other_documents = firestore_documents(world, other.org_id)
    deletion = world.orgs.delete_org(doomed.owner)
    erasure = AdAccountErasure(world.store, lambda: world.token_vault)

    def crash_on_oauth_states(org_id: str, step: PurgeStep) -> None:
        if step is PurgeStep.OAUTH_STATES:
            raise RuntimeError("instance stopped")

    crashing = OrgPurge(
        store=world.store,
        warehouse=world.warehouse,
        erase_tokens=erasure.erase_tokens,
        erase_oauth_states=erasure.erase_oauth_states,
        grace=timedelta(0),
        before_step=crash_on_oauth_states,
    )
    first = crashing.run()

    assert first.failed == {doomed.org_id: "RuntimeError: instance stopped"}
    halfway = world.org_purge.report(doomed.org_id)
    assert set(halfway.steps) == {PurgeStep.KEYS, PurgeStep.TOKENS}
    assert (halfway.status, halfway.attempts) == (DeletionStatus.PENDING, 1)
    assert halfway.last_error == "RuntimeError: instance stopped"
    assert firestore_documents(world, doomed.org_id) != []  # the tree is still there

    purge_now(world, deletion)

    assert_gone(world, doomed)
    finished = world.org_purge.report(doomed.org_id)
    assert finished.status is DeletionStatus.DONE
    assert finished.last_error is None
    assert finished.steps[PurgeStep.KEYS] == halfway.steps[PurgeStep.KEYS]  # not redone
    assert firestore_documents(world, other.org_id) == other_documents


def test_a_second_run_is_a_no_op(world: Services) -> None:
    doomed = seed_org(world, "Doomed")
    deletion = world.orgs.delete_org(doomed.owner)
    purge_now(world, deletion)
    report = world.org_purge.report(doomed.org_id)

    later = deletion.requested_at + timedelta(days=1)
    again = world.org_purge.run(now=later)

    assert (again.finished, again.failed) == ([], {})
    assert world.org_purge.report(doomed.org_id) == report
    assert_gone(world, doomed)


def test_late_writes_for_a_deleted_org_are_refused(world: Services) -> None:
    doomed, other = seed_org(world, "Doomed"), seed_org(world, "Other")
    deletion = world.orgs.delete_org(doomed.owner)
    # Another instance, which never saw the request, reads the tombstone.
    fresh = purge_services(world.settings.duckdb_path.parent / "fresh")
    with pytest.raises(OrgDeleted):
        fresh.orgs.create_key_for_org(doomed.org_id, doomed.owner.role, "late")
    # The scheduled passes over every organization (syncs, scrapes, outboxes, token checks)
    # list `orgs`: the deleted one is out of that list at once, the other is not.
    listed = {document.id for document in fresh.store.query("orgs")}
    assert doomed.org_id not in listed
    assert other.org_id in listed
    purge_now(world, deletion)

    with pytest.raises(OrgDeleted):
        fresh.store.set(f"orgs/{doomed.org_id}/brands/late", {"name": "late"})
    with pytest.raises(OrgDeleted):
        fresh.warehouse.merge_rows(
            "campaign_events", [{"org_id": doomed.org_id}], ["org_id"], update_existing=False
        )
    assert_gone(world, doomed)


def push(function: str, event: DomainEvent) -> int:
    """Deliver `event` as a Pub/Sub push to `function`; its HTTP status."""
    app = functions_framework.create_app(function, str(MAIN))  # type: ignore[no-untyped-call]
    envelope = {
        "message": {
            "data": base64.b64encode(event.model_dump_json().encode()).decode(),
            "attributes": event.attributes(),
            "messageId": event.event_id,
            "publishTime": "2026-11-21T05:00:00Z",
        },
        "subscription": f"projects/reachops-local/subscriptions/x--{function}",
    }
    status: int = app.test_client().post("/", json=envelope).status_code
    return status


@pytest.mark.parametrize(
    ("function", "event_type", "data"),
    [
        ("alert_feed", "alert.raised", {"kind": "token_expiring", "message": "renew"}),
        ("campaign_activity", "campaign.activated", {"from": "draft", "to": "active"}),
        ("post_detection", "posts.ingested", {"post_keys": ["instagram-p1"]}),
    ],
)
def test_a_late_event_after_deletion_creates_nothing(
    world: Services, function: str, event_type: str, data: dict[str, object]
) -> None:
    doomed = seed_org(world, "Doomed")
    deletion = world.orgs.delete_org(doomed.owner)
    purge_now(world, deletion)
    event = DomainEvent(
        type=event_type,
        org_id=doomed.org_id,
        subject_id="c1",
        actor=Actor(id=doomed.owner.key_id, role="OWNER"),
        data=data,
    )

    status = push(function, event)

    assert status == 200  # acknowledged, not retried
    assert firestore_documents(world, doomed.org_id) == []
    assert set(warehouse_rows(services(), doomed.org_id).values()) == {0}
