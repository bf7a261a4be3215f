"""HTTP entry point: public event tracking. Authenticated by a site's publishable key, not an
API key; answers browsers' CORS preflights for the site's allowed origins only."""

from __future__ import annotations

from importlib import resources

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.public import PublicApi, PublicCall
from shared.http.routing import json_reply
from shared.tracking.intake import MAX_BODY_BYTES, TrackBatch

SNIPPET = resources.files("shared").joinpath("tracking/snippet.js").read_text(encoding="utf-8")
PREFLIGHT_MAX_AGE = "600"


def _site_key(call: PublicCall) -> str | None:
    return call.request.headers.get("X-Site-Key") or call.request.args.get("site_key")


def _cors(response: flask.Response, origin: str | None) -> flask.Response:
    """Only an origin the site allows is ever named (the caller has checked it)."""
    response.headers["Vary"] = "Origin"
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def track_events(call: PublicCall) -> flask.Response:
    intake = services().track_intake
    intake.charge_client(call.client_ip)
    batch = call.body(TrackBatch, MAX_BODY_BYTES)
    origin = call.request.headers.get("Origin")
    org_id, result = intake.receive(batch, _site_key(call), origin)
    call.facts.org_id = org_id
    return _cors(json_reply(202, result.receipt().model_dump(mode="json")), origin)


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


def snippet(call: PublicCall) -> flask.Response:
    response = flask.Response(SNIPPET, status=200, mimetype="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


api = PublicApi(
    "track_api",
    {"trackEvents": track_events, "preflightTrackEvents": preflight, "getTrackSnippet": snippet},
)


@functions_framework.http
def track_api(request: flask.Request) -> flask.Response:
    return api(request)
