"""Feedback and forms through the local gateway: members write, every role reads, a resend
answers the stored record, an email names a person without being stored, and every bad input
of the issue (a rating outside its scale, text over the limit, a response to an unknown form
or that does not fit its form) is a 4xx naming the field, with nothing stored."""

from __future__ import annotations

import json

import pytest

from shared.auth import Role
from shared.bootstrap import Services
from shared.feedback.forms import responses_collection
from shared.feedback.service import feedback_collection
from tests.e2e.conftest import Tenant

pytestmark = pytest.mark.e2e

EMAIL = "Bea.Runner@Example.com"
FORM = {
    "name": "After purchase",
    "fields": [
        {"name": "email", "type": "email", "required": True},
        {"name": "comment", "type": "text"},
        {"name": "fit", "type": "choice", "choices": ["small", "true", "large"]},
        {"name": "stars", "type": "rating", "scale": "stars_1_5", "required": True},
    ],
}


def test_feedback_is_written_by_members_once_and_read_by_every_role(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    body = {"feedback_id": "nps-1", "scale": "nps_0_10", "rating": 9, "text": "Love them"}
    assert tenant[Role.VIEWER].post("/feedback", json=body).status_code == 403
    created = tenant[Role.MEMBER].post("/feedback", json=body)
    assert created.status_code == 201, created.text
    feedback = created.json()
    assert (feedback["rating_0_10"], feedback["person_id"], feedback["channel"]) == (
        9.0,
        None,
        "web",
    )
    again = tenant[Role.MEMBER].post("/feedback", json=body)
    assert (again.status_code, again.json()) == (200, feedback)
    changed = tenant[Role.MEMBER].post("/feedback", json={**body, "rating": 3})
    assert changed.status_code == 409
    assert changed.json()["error"]["field"] == "feedback_id"

    stars = {"scale": "stars_1_5", "rating": 2, "channel": "sms", "email": EMAIL}
    second = tenant[Role.MEMBER].post("/feedback", json=stars)
    assert second.status_code == 201, second.text
    assert second.json()["rating_0_10"] == 2.5
    assert second.json()["person_id"]

    listed = tenant[Role.VIEWER].get("/feedback")
    assert [f["feedback_id"] for f in listed.json()["items"]] == [
        second.json()["feedback_id"],
        "nps-1",
    ]
    sms = tenant[Role.VIEWER].get("/feedback", params={"channel": "sms"}).json()["items"]
    assert [f["channel"] for f in sms] == ["sms"]
    assert other_tenant[Role.VIEWER].get("/feedback").json()["items"] == []
    cursor = tenant[Role.VIEWER].get("/feedback", params={"limit": 1}).json()["next_cursor"]
    stolen = other_tenant[Role.VIEWER].get("/feedback", params={"cursor": cursor})
    assert stolen.status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"scale": "nps_0_10", "rating": 11}, 422, "rating"),
        ({"scale": "nps_0_10", "rating": -1}, 422, "rating"),
        ({"scale": "stars_1_5", "rating": 0}, 422, "rating"),
        ({"scale": "stars_1_5", "rating": 6}, 422, "rating"),
        ({"scale": "stars_1_5", "rating": 4.5}, 422, "rating"),
        ({"scale": "percent", "rating": 50}, 422, "scale"),
        ({"text": "x" * 5001}, 422, "text"),
        ({"email": "not-an-address"}, 422, "email"),
        ({"person_id": "nobody"}, 404, "person_id"),
    ],
)
def test_bad_feedback_names_its_field_and_stores_nothing(
    tenant: Tenant, app_services: Services, change: dict[str, object], status: int, field: str
) -> None:
    body = {"scale": "nps_0_10", "rating": 8, **change}
    refused = tenant[Role.MEMBER].post("/feedback", json=body)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["field"] == field
    assert tenant[Role.VIEWER].get("/feedback").json()["items"] == []
    assert app_services.store.query(feedback_collection(tenant.org_id)) == []


def test_form_responses_are_checked_against_their_form(
    tenant: Tenant, app_services: Services
) -> None:
    bad_form = {"name": "x", "fields": [{"name": "q", "type": "choice"}]}
    refused_form = tenant[Role.MEMBER].post("/forms", json=bad_form)
    assert refused_form.status_code == 422
    assert refused_form.json()["error"]["field"] == "fields.0.choices"
    created = tenant[Role.MEMBER].post("/forms", json=FORM)
    assert created.status_code == 201, created.text
    form = created.json()
    form_id = form["form_id"]
    assert tenant[Role.VIEWER].get(f"/forms/{form_id}").json() == form
    assert [f["form_id"] for f in tenant[Role.VIEWER].get("/forms").json()["items"]] == [form_id]

    unknown = tenant[Role.MEMBER].post("/forms/nosuchform/responses", json={"fields": {}})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["field"] == "path.form_id"
    assert tenant[Role.VIEWER].get("/forms/nosuchform").status_code == 404
    answers = {"email": EMAIL, "comment": "Runs small", "fit": "small", "stars": 4}
    cases: list[tuple[dict[str, object], str]] = [
        ({"stars": 7}, "fields.stars"),
        ({"fit": "huge"}, "fields.fit"),
        ({"email": None}, "fields.email"),
        ({"colour": "red"}, "fields.colour"),
        ({"comment": "x" * 5001}, "fields.comment"),
    ]
    for wrong, field in cases:
        refused = tenant[Role.MEMBER].post(
            f"/forms/{form_id}/responses", json={"fields": {**answers, **wrong}}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["field"].startswith(field)
    assert app_services.store.query(responses_collection(tenant.org_id)) == []

    body = {"response_id": "resp-1", "fields": answers, "channel": "email"}
    stored = tenant[Role.MEMBER].post(f"/forms/{form_id}/responses", json=body)
    assert stored.status_code == 201, stored.text
    response = stored.json()
    assert response["fields"] == {"comment": "Runs small", "fit": "small", "stars": 4}
    assert response["person_id"]
    again = tenant[Role.MEMBER].post(f"/forms/{form_id}/responses", json=body)
    assert (again.status_code, again.json()) == (200, response)
    page = tenant[Role.VIEWER].get(f"/forms/{form_id}/responses").json()
    assert [r["response_id"] for r in page["items"]] == ["resp-1"]

    feedback = {"scale": "nps_0_10", "rating": 6, "email": EMAIL.upper()}
    same_person = tenant[Role.MEMBER].post("/feedback", json=feedback).json()["person_id"]
    assert same_person == response["person_id"]
    documents = [
        d.data
        for name in (feedback_collection, responses_collection)
        for d in app_services.store.query(name(tenant.org_id))
    ]
    assert "bea.runner" not in json.dumps(documents, default=str).lower()
