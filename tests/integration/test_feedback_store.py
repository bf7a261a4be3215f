"""Feedback and form responses stored once (Firestore emulator, DuckDB warehouse, Pub/Sub
emulator behind an outage switch): a resend answers the stored record and adds no row and no
event, other content under the same id is refused, an outage leaves the event to the relay
(published once), and an email names a person without being stored anywhere. People
(shared/people) is a stand-in here that resolves emails to stable ids; the e2e test runs the
real one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.auth import Principal, Role
from shared.bootstrap import Services
from shared.config import Settings
from shared.errors import BadRequest, Conflict, NotFound
from shared.feedback.forms import RESPONSE_CREATED, responses_collection
from shared.feedback.models import (
    FeedbackCreate,
    FeedbackListQuery,
    FormCreate,
    ResponseCreate,
    ResponseListQuery,
)
from shared.feedback.service import FEEDBACK_CREATED, feedback_collection
from shared.topology import load_topology
from tests.integration.test_decisions_once import OutageBus

pytestmark = pytest.mark.integration

EMAIL = "Anna.Trail@Example.com"


class StandInPeople:
    """shared/people's contract: one person per (org, email) or linked visitor."""

    def __init__(self) -> None:
        self.persons: dict[tuple[str, str], str] = {}
        self.sources: list[str] = []

    def resolve(
        self, org_id: str, *, email: str | None, visitor_id: str | None, source: str
    ) -> str | None:
        if email is None and visitor_id is None:
            return None
        self.sources.append(source)
        key = email.strip().lower() if email else f"visitor:{visitor_id}"
        return self.persons.setdefault((org_id, key), f"person-{len(self.persons) + 1}")

    def get(self, principal: Principal, person_id: str) -> object:
        if (principal.org_id, person_id) not in {(o, p) for (o, _), p in self.persons.items()}:
            raise NotFound(f"person {person_id} not found", field="path.person_id")
        return person_id


@pytest.fixture
def world(
    local_stack: object, clean_firestore: None, tmp_path: Path
) -> tuple[Services, OutageBus, StandInPeople, Principal]:
    services = Services(Settings(duckdb_path=tmp_path / "warehouse.duckdb"), load_topology())
    bus = OutageBus(services.bus)
    people = StandInPeople()
    services.__dict__["bus"] = bus  # every service built from here on publishes through it
    services.__dict__["people"] = people
    org, key = services.orgs.create_org("Feedback Inc")
    return services, bus, people, Principal(org.org_id, key.key_id, Role.MEMBER)


TABLES = {
    "feedback": "SELECT * FROM reachops.feedback WHERE org_id = @org_id",
    "form_responses": "SELECT * FROM reachops.form_responses WHERE org_id = @org_id",
}


def rows(services: Services, table: str, org_id: str) -> list[dict[str, Any]]:
    return services.warehouse.run_statement(TABLES[table], {"org_id": org_id})


def feedback(**fields: Any) -> FeedbackCreate:
    return FeedbackCreate.model_validate_json(json.dumps(fields))


def test_feedback_is_stored_once_with_one_event(
    world: tuple[Services, OutageBus, StandInPeople, Principal],
) -> None:
    services, bus, _, member = world
    request = feedback(
        feedback_id="fb-1", scale="stars_1_5", rating=4, text="Comfy", channel="email"
    )
    created, first = services.feedback.create(member, request)
    again, second = services.feedback.create(member, request)
    assert (created, again) == (True, False)
    assert second == first
    assert first.rating_0_10 == 7.5
    assert first.person_id is None

    [row] = rows(services, "feedback", member.org_id)
    assert (row["feedback_id"], row["rating"], row["scale"], row["rating_0_10"]) == (
        "fb-1", 4, "stars_1_5", 7.5,
    )  # fmt: skip
    assert (row["text"], row["channel"]) == ("Comfy", "email")
    assert [(e.type, e.subject_id, e.data) for e in bus.published] == [
        (
            FEEDBACK_CREATED,
            "fb-1",
            {"org_id": member.org_id, "feedback_id": "fb-1", "person_id": None},
        )
    ]
    assert services.outbox.relay() == 0

    with pytest.raises(Conflict) as other:
        services.feedback.create(member, feedback(feedback_id="fb-1", scale="stars_1_5", rating=2))
    assert other.value.field == "feedback_id"
    assert len(rows(services, "feedback", member.org_id)) == 1
    assert len(bus.published) == 1


def test_an_outage_leaves_the_event_in_the_outbox_for_the_relay_once(
    world: tuple[Services, OutageBus, StandInPeople, Principal],
) -> None:
    services, bus, _, member = world
    bus.down = True
    created, stored = services.feedback.create(member, feedback(scale="nps_0_10", rating=10))
    assert created
    assert bus.published == []
    assert len(rows(services, "feedback", member.org_id)) == 1

    bus.down = False
    assert services.outbox.relay() == 1
    assert services.outbox.relay() == 0
    assert [(e.type, e.subject_id) for e in bus.published] == [
        (FEEDBACK_CREATED, stored.feedback_id)
    ]


def test_an_email_names_a_person_and_is_stored_nowhere(
    world: tuple[Services, OutageBus, StandInPeople, Principal],
) -> None:
    services, bus, people, member = world
    _, by_email = services.feedback.create(
        member, feedback(scale="nps_0_10", rating=3, email=EMAIL, visitor_id="v-1")
    )
    assert by_email.person_id == "person-1"
    _, by_id = services.feedback.create(
        member, feedback(scale="nps_0_10", rating=9, person_id="person-1")
    )
    assert by_id.person_id == "person-1"
    with pytest.raises(NotFound) as unknown:
        services.feedback.create(member, feedback(scale="nps_0_10", rating=9, person_id="nobody"))
    assert unknown.value.field == "person_id"

    form = services.forms.create(
        member,
        FormCreate.model_validate(
            {
                "name": "Signup",
                "fields": [
                    {"name": "email", "type": "email", "required": True},
                    {"name": "comment", "type": "text"},
                    {"name": "score", "type": "rating", "scale": "nps_0_10"},
                ],
            }
        ),
    )
    answers = {"email": EMAIL, "comment": "Great fit", "score": 10}
    request = ResponseCreate.model_validate({"response_id": "r-1", "fields": answers})
    created, response = services.forms.respond(member, form.form_id, request)
    assert (created, response.person_id) == (True, "person-1")
    assert response.fields == {"comment": "Great fit", "score": 10}
    assert services.forms.respond(member, form.form_id, request) == (False, response)
    assert people.sources == ["feedback", "form_response", "form_response"]

    [row] = rows(services, "form_responses", member.org_id)
    assert json.loads(row["fields_json"]) == {"comment": "Great fit", "score": 10}
    assert [e.type for e in bus.published].count(RESPONSE_CREATED) == 1
    stored = [
        *services.store.query(feedback_collection(member.org_id)),
        *services.store.query(responses_collection(member.org_id)),
    ]
    written = json.dumps([d.data for d in stored], default=str).lower()
    written += json.dumps(rows(services, "feedback", member.org_id), default=str).lower()
    written += json.dumps(rows(services, "form_responses", member.org_id), default=str).lower()
    assert "anna.trail" not in written

    page = services.forms.responses(member, form.form_id, ResponseListQuery())
    assert [r.response_id for r in page.items] == ["r-1"]
    with pytest.raises(NotFound) as missing:
        services.forms.respond(member, "no-such-form", request)
    assert missing.value.field == "path.form_id"


def test_lists_are_newest_first_in_pages_bound_to_their_query(
    world: tuple[Services, OutageBus, StandInPeople, Principal],
) -> None:
    services, _, _, member = world
    for n, channel in enumerate(["web", "sms", "web"]):
        services.feedback.create(
            member, feedback(feedback_id=f"fb-{n}", scale="nps_0_10", rating=n, channel=channel)
        )
    first = services.feedback.list(member, FeedbackListQuery(limit=2))
    assert [f.feedback_id for f in first.items] == ["fb-2", "fb-1"]
    assert first.next_cursor is not None
    rest = services.feedback.list(member, FeedbackListQuery(limit=2, cursor=first.next_cursor))
    assert ([f.feedback_id for f in rest.items], rest.next_cursor) == (["fb-0"], None)
    web = services.feedback.list(member, FeedbackListQuery(channel="web"))
    assert [f.feedback_id for f in web.items] == ["fb-2", "fb-0"]
    with pytest.raises(BadRequest):
        services.feedback.list(member, FeedbackListQuery(channel="web", cursor=first.next_cursor))
