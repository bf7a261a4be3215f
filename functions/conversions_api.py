"""HTTP entry point: server-side conversions (a backend's orders, a CRM's leads, a person's
manual entry) and the conversion records, their session and their statistics."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.conversions.models import ConversionBody, ConversionQuery, StatsQuery
from shared.http.api import Call, HttpApi, Reply


def create_conversion(call: Call) -> Reply:
    """201 when stored now; 200 with the stored conversion for an identical resend."""
    created, conversion = services().conversions.create(
        call.principal, call.body(ConversionBody).root
    )
    return Reply.created_or_found(created, conversion)


def list_conversions(call: Call) -> Reply:
    return Reply(200, services().conversions.list(call.principal, call.query(ConversionQuery)))


def get_conversion(call: Call) -> Reply:
    return Reply(200, services().conversions.get(call.principal, call.path["conversion_id"]))


def conversion_stats(call: Call) -> Reply:
    stats = services().conversion_stats.stats(call.principal, call.query(StatsQuery))
    return Reply(200, stats.model_dump(mode="json", by_alias=True))


api = HttpApi(
    "conversions_api",
    {
        "createConversion": create_conversion,
        "listConversions": list_conversions,
        "getConversion": get_conversion,
        "getConversionStats": conversion_stats,
    },
)


@functions_framework.http
def conversions_api(request: flask.Request) -> flask.Response:
    return api(request)
