"""What every public, site-key endpoint a browser calls shares (tracking and experiment
assignment): where the site key comes from, and CORS for the site's allowed origins only."""

from __future__ import annotations

import flask

from shared.http.public import PublicCall
from shared.tracking.intake import TrackIntake

PREFLIGHT_MAX_AGE = "600"


def site_key_of(call: PublicCall) -> str | None:
    """The X-Site-Key header, else ?site_key= (a body's site_key is the endpoint's own)."""
    return call.request.headers.get("X-Site-Key") or call.request.args.get("site_key")


def with_cors(response: flask.Response, origin: str | None) -> flask.Response:
    """Only an origin the site allows is ever named (the caller has admitted it)."""
    response.headers["Vary"] = "Origin"
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def preflight(intake: TrackIntake, call: PublicCall) -> flask.Response:
    """A browser's CORS preflight: charged to its IP, answered for an allowed origin only."""
    intake.charge_client(call.client_ip)
    origin = call.request.headers.get("Origin")
    intake.admit(site_key_of(call), origin or "")
    response = with_cors(flask.Response(status=204), origin)
    response.headers["Access-Control-Allow-Methods"] = "POST"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Site-Key"
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response
