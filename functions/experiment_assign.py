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

MAX_BODY_BYTES = 4096
PREFLIGHT_MAX_AGE = "600"


def _site_key(call: PublicCall) -> str | None:
    return call.request.headers.get("X-Site-Key") or call.request.args.get("site_key")


def _cors(response: flask.Response, origin: str | None) -> flask.Response:
    """Only an origin the site allows is ever named (admit has checked it)."""
    response.headers["Vary"] = "Origin"
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def assign_experiment(call: PublicCall) -> flask.Response:
    app = services()
    app.track_intake.charge_client(call.client_ip)
    request = call.body(AssignRequest, MAX_BODY_BYTES)
    origin = call.request.headers.get("Origin")
    org_id, site = app.track_intake.admit(_site_key(call) or request.site_key, origin)
    call.facts.org_id = org_id
    assignment = app.experiment_assignment.assign(
        org_id, site.site_id, call.path["experiment_id"], request.visitor_id
    )
    return _cors(json_reply(200, assignment.model_dump(mode="json")), origin)


def preflight(call: PublicCall) -> flask.Response:
    intake = services().track_intake
    intake.charge_client(call.client_ip)
    origin = call.request.headers.get("Origin")
    intake.admit(_site_key(call), origin or "")
    response = _cors(flask.Response(status=204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Site-Key"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


api = PublicApi(
    "experiment_assign",
    {"assignExperiment": assign_experiment, "preflightAssignExperiment": preflight},
)


@functions_framework.http
def experiment_assign(request: flask.Request) -> flask.Response:
    return api(request)
