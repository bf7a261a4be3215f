"""HTTP entry point: customers (the unified profile, the interaction timeline, the at-risk
list and the most engaged)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.http.api import Call, HttpApi, Reply
from shared.scores.customer_models import InteractionQuery
from shared.scores.models import AtRiskQuery, TopEngagedQuery


def get_profile(call: Call) -> Reply:
    return Reply(200, services().customers.profile(call.principal, call.path["person_id"]))


def list_interactions(call: Call) -> Reply:
    query = call.query(InteractionQuery)
    person_id = call.path["person_id"]
    return Reply(200, services().customers.interactions(call.principal, person_id, query))


def list_at_risk(call: Call) -> Reply:
    query = call.query(AtRiskQuery)
    page = services().scores.page(
        call.principal,
        score_type="churn_risk",
        min_value=query.min_risk,
        limit=query.limit,
        cursor=query.cursor,
    )
    return Reply(200, page)


def list_top_engaged(call: Call) -> Reply:
    query = call.query(TopEngagedQuery)
    page = services().scores.page(
        call.principal, score_type="engagement", limit=query.limit, cursor=query.cursor
    )
    return Reply(200, page)


api = HttpApi(
    "customers_api",
    {
        "getCustomerProfile": get_profile,
        "listCustomerInteractions": list_interactions,
        "listAtRiskCustomers": list_at_risk,
        "listTopEngagedCustomers": list_top_engaged,
    },
)


@functions_framework.http
def customers_api(request: flask.Request) -> flask.Response:
    return api(request)
