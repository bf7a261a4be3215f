"""HTTP entry point: feedback, forms and form responses (intake published through the outbox)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.feedback.models import (
    FeedbackCreate,
    FeedbackListQuery,
    FormCreate,
    FormListQuery,
    ResponseCreate,
    ResponseListQuery,
)
from shared.http.api import Call, HttpApi, Reply


def create_feedback(call: Call) -> Reply:
    created, feedback = services().feedback.create(call.principal, call.body(FeedbackCreate))
    return Reply.created_or_found(created, feedback)


def list_feedback(call: Call) -> Reply:
    return Reply(200, services().feedback.list(call.principal, call.query(FeedbackListQuery)))


def create_form(call: Call) -> Reply:
    return Reply(201, services().forms.create(call.principal, call.body(FormCreate)))


def list_forms(call: Call) -> Reply:
    return Reply(200, services().forms.list(call.principal, call.query(FormListQuery)))


def get_form(call: Call) -> Reply:
    return Reply(200, services().forms.get(call.principal, call.path["form_id"]))


def create_form_response(call: Call) -> Reply:
    request = call.body(ResponseCreate)
    created, response = services().forms.respond(call.principal, call.path["form_id"], request)
    return Reply.created_or_found(created, response)


def list_form_responses(call: Call) -> Reply:
    query = call.query(ResponseListQuery)
    return Reply(200, services().forms.responses(call.principal, call.path["form_id"], query))


api = HttpApi(
    "feedback_api",
    {
        "createFeedback": create_feedback,
        "listFeedback": list_feedback,
        "createForm": create_form,
        "listForms": list_forms,
        "getForm": get_form,
        "createFormResponse": create_form_response,
        "listFormResponses": list_form_responses,
    },
)


@functions_framework.http
def feedback_api(request: flask.Request) -> flask.Response:
    return api(request)
