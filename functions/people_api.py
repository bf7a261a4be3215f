"""HTTP entry point: people (emails encrypted, matched by a keyed hash; social handles), their
erasure, and journeys (SQL over the view journey_events)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.api import Call, HttpApi, Reply
from shared.people.models import (
    DropoffQuery,
    JourneyQuery,
    LinkPersonInteractions,
    PathsQuery,
    PersonCreate,
    PersonUpdate,
)


def create_person(call: Call) -> Reply:
    created, person = services().people.create(call.principal, call.body(PersonCreate))
    return Reply.created_or_found(created, person)


def update_person(call: Call) -> Reply:
    person_id = call.path["person_id"]
    return Reply(200, services().people.update(call.principal, person_id, call.body(PersonUpdate)))


def get_person(call: Call) -> Reply:
    return Reply(200, services().people.get(call.principal, call.path["person_id"]))


def erase_person(call: Call) -> Reply:
    services().people.erase(call.principal, call.path["person_id"])
    return Reply(204)


def link_person_interactions(call: Call) -> Reply:
    linked = services().people.link(call.principal, call.body(LinkPersonInteractions))
    return Reply(200, linked)


def get_person_journey(call: Call) -> Reply:
    query = call.query(JourneyQuery)
    return Reply(200, services().journeys.journey(call.principal, call.path["person_id"], query))


def get_journey_paths(call: Call) -> Reply:
    return Reply(200, services().journeys.paths(call.principal, call.query(PathsQuery)))


def get_journey_dropoff(call: Call) -> Reply:
    return Reply(200, services().journeys.dropoff(call.principal, call.query(DropoffQuery)))


api = HttpApi(
    "people_api",
    {
        "createPerson": create_person,
        "getPerson": get_person,
        "updatePerson": update_person,
        "erasePerson": erase_person,
        "linkPersonInteractions": link_person_interactions,
        "getPersonJourney": get_person_journey,
        "getJourneyPaths": get_journey_paths,
        "getJourneyDropoff": get_journey_dropoff,
    },
)


@functions_framework.http
def people_api(request: flask.Request) -> flask.Response:
    return api(request)
