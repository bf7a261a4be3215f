"""People on the emulator and the local warehouse: one person per email and organization
(whatever its case or blanks, however many intakes race), the email stored only encrypted and
hashed, a visitor linked once (a second person cannot take it), and the visitor's sessions
from before the link in the person's journey (the backfill)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.people.models import JourneyQuery, LinkPersonInteractions
from shared.people.records import person_path
from shared.topology import load_topology

pytestmark = pytest.mark.integration
EMAIL = "Anna.Trail@Example.com"


def people_services(tmp_path: Path) -> Services:
    settings = Settings(
        duckdb_path=tmp_path / "warehouse.duckdb", local_pii_key_file=tmp_path / "pii_keys.json"
    )
    return Services(settings, load_topology())


@pytest.fixture
def world(local_stack: object, clean_firestore: None, tmp_path: Path) -> tuple[Services, Principal]:
    services = people_services(tmp_path)
    org, key = services.orgs.create_org("People Inc")
    return services, Principal(org.org_id, key.key_id, Role.ADMIN)


def page_view(org_id: str, event_id: str, visitor: str, at: datetime) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "site_id": "s1",
        "event_id": event_id,
        "source": "browser",
        "event_type": "page_view",
        "occurred_at": at,
        "received_at": at,
        "visitor_id": visitor,
        "url": "https://shop.example/",
    }


def test_one_person_per_email_however_spelt_and_however_many_race(
    world: tuple[Services, Principal],
) -> None:
    services, admin = world
    people = services.people
    spellings = [EMAIL, EMAIL.upper(), f"  {EMAIL.lower()} "] * 4
    with ThreadPoolExecutor(max_workers=6) as pool:
        found = set(
            pool.map(
                lambda e: people.resolve(admin.org_id, email=e, visitor_id=None, source="t"),
                spellings,
            )
        )
    assert len(found) == 1
    (person_id,) = found
    assert person_id is not None
    stored = services.store.get(person_path(admin.org_id, person_id))
    assert stored is not None
    assert EMAIL.lower() not in str(stored).lower()
    assert stored["email_hash"] == services.pii.email_hash(EMAIL)
    person = people.get(admin, person_id)
    assert person.email == EMAIL.lower()
    rows = services.warehouse.run_statement(
        "SELECT * FROM reachops.people WHERE org_id = @org_id", {"org_id": admin.org_id}
    )
    assert [(r["person_id"], r["email_hash"]) for r in rows] == [(person_id, stored["email_hash"])]


def test_neither_email_nor_linked_visitor_names_nobody(world: tuple[Services, Principal]) -> None:
    services, admin = world
    people = services.people
    assert people.resolve(admin.org_id, email=None, visitor_id=None, source="t") is None
    assert people.resolve(admin.org_id, email=None, visitor_id="v-unknown", source="t") is None
    with pytest.raises(ValidationFailed) as refused:
        people.resolve(admin.org_id, email="not-an-email", visitor_id=None, source="t")
    assert refused.value.field == "email"
    with pytest.raises(NotFound):
        people.get(admin, "0000000000000000")


def test_linking_backfills_earlier_sessions_and_a_visitor_stays_its_first_persons(
    world: tuple[Services, Principal],
) -> None:
    services, admin = world
    now = datetime.now(UTC)
    services.warehouse.merge_rows(
        "track_events",
        [
            page_view(admin.org_id, f"e{i}", "v1", now - timedelta(days=3, minutes=i))
            for i in range(3)
        ],
        ("org_id", "site_id", "event_id", "occurred_at"),
        update_existing=False,
    )
    request = LinkPersonInteractions(email=EMAIL, visitor_id="v1", source="form")
    linked = services.people.link(admin, request)
    assert linked.linked
    again = services.people.link(admin, request)
    assert (again.person_id, again.linked) == (linked.person_id, False)

    journey = services.journeys.journey(admin, linked.person_id, JourneyQuery())
    assert [e.source_id for e in journey.events] == ["s1~e2", "s1~e1", "s1~e0"]
    assert {e.visitor_id for e in journey.events} == {"v1"}
    assert services.people.get(admin, linked.person_id).visitor_ids == ["v1"]
    found = services.people.resolve(admin.org_id, email=None, visitor_id="v1", source="t")
    assert found == linked.person_id

    other = LinkPersonInteractions(email="someone.else@example.com", visitor_id="v1")
    with pytest.raises(Conflict) as refused:
        services.people.link(admin, other)
    assert refused.value.field == "visitor_id"
    assert services.people.visitors_of(admin.org_id, linked.person_id) == ["v1"]
