"""HTTP entry point: attribution by model, the models side by side, and manual resolutions."""

from __future__ import annotations

import flask
import functions_framework

from shared.attribution.models import AttributionQuery, CompareQuery, ManualResolution
from shared.bootstrap import services
from shared.http.api import Call, HttpApi, Reply


def attribution(call: Call) -> Reply:
    return Reply(
        200, services().attribution.attribution(call.principal, call.query(AttributionQuery))
    )


def compare(call: Call) -> Reply:
    return Reply(200, services().attribution.compare(call.principal, call.query(CompareQuery)))


def resolve(call: Call) -> Reply:
    request = call.body(ManualResolution)
    return Reply(200, services().attribution.resolve_manually(call.principal, request))


api = HttpApi(
    "attribution_api",
    {
        "getAttribution": attribution,
        "compareAttribution": compare,
        "resolveSession": resolve,
    },
)


@functions_framework.http
def attribution_api(request: flask.Request) -> flask.Response:
    return api(request)
