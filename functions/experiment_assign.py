"""HTTP entry point: a visitor's variant of a running experiment (public, like tracking).

Its own function because it is authenticated by a site's publishable key, not an API key (the
keyed API function authenticates every operation it serves), and it answers browsers' CORS
preflights for the site's allowed origins only, exactly as track_api does.
"""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.experiments.models import AssignRequest
from shared.http.public import PublicApi, PublicCall
from shared.http.routing import json_reply
from shared.tracking.browser import preflight, site_key_of, with_cors

MAX_BODY_BYTES = 4096


def assign_experiment(call: PublicCall) -> flask.Response:
    app = services()
    app.track_intake.charge_client(call.client_ip)
    request = call.body(AssignRequest, MAX_BODY_BYTES)
    origin = call.request.headers.get("Origin")
    org_id, site = app.track_intake.admit(site_key_of(call) or request.site_key, origin)
    call.facts.org_id = org_id
    assignment = app.experiment_assignment.assign(
        org_id, site.site_id, call.path["experiment_id"], request.visitor_id
    )
    return with_cors(json_reply(200, assignment.model_dump(mode="json")), origin)


def preflight_request(call: PublicCall) -> flask.Response:
    return preflight(services().track_intake, call)


api = PublicApi(
    "experiment_assign",
    {"assignExperiment": assign_experiment, "preflightAssignExperiment": preflight_request},
)


@functions_framework.http
def experiment_assign(request: flask.Request) -> flask.Response:
    return api(request)
