"""HTTP entry point: public event tracking. Authenticated by a site's publishable key, not an
API key; answers browsers' CORS preflights for the site's allowed origins only."""

from __future__ import annotations

from importlib import resources

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.public import PublicApi, PublicCall
from shared.http.routing import model_reply
from shared.tracking.browser import preflight, site_key_of, with_cors
from shared.tracking.intake import MAX_BODY_BYTES, TrackBatch

SNIPPET = resources.files("shared").joinpath("tracking/snippet.js").read_text(encoding="utf-8")


def track_events(call: PublicCall) -> flask.Response:
    intake = services().track_intake
    intake.charge_client(call.client_ip)
    batch = call.body(TrackBatch, MAX_BODY_BYTES)
    origin = call.request.headers.get("Origin")
    org_id, result = intake.receive(batch, site_key_of(call), origin)
    call.facts.org_id = org_id
    return with_cors(model_reply(202, result.receipt()), origin)


def preflight_request(call: PublicCall) -> flask.Response:
    return preflight(services().track_intake, call)


def snippet(call: PublicCall) -> flask.Response:
    response = flask.Response(SNIPPET, status=200, mimetype="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


api = PublicApi(
    "track_api",
    {
        "trackEvents": track_events,
        "preflightTrackEvents": preflight_request,
        "getTrackSnippet": snippet,
    },
)


@functions_framework.http
def track_api(request: flask.Request) -> flask.Response:
    return api(request)
