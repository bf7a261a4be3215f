"""HTTP entry point: scores as records (NPS, engagement, CLV, churn risk), their calculation,
the leaderboard, NPS reports and the engagement settings."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.errors import NotFound
from shared.http.api import Call, HttpApi, Reply
from shared.scores.models import (
    SCORE_TYPES,
    EngagementSettings,
    LeaderboardQuery,
    ScoreQuery,
)
from shared.scores.nps_models import NpsQuery


def list_scores(call: Call) -> Reply:
    query = call.query(ScoreQuery)
    page = services().scores.page(
        call.principal,
        score_type=query.type,
        min_value=query.min_value,
        max_value=query.max_value,
        limit=query.limit,
        cursor=query.cursor,
    )
    return Reply(200, page)


def get_person_scores(call: Call) -> Reply:
    return Reply(200, services().scores.of_person(call.principal, call.path["person_id"]))


def calculate_scores(call: Call) -> Reply:
    score_type = call.path["score_type"]
    if score_type not in SCORE_TYPES:
        raise NotFound(f"no score type {score_type!r}", field="path.score_type")
    return Reply(200, services().scores.calculate(call.principal, score_type))


def get_leaderboard(call: Call) -> Reply:
    return Reply(200, services().scores.leaderboard(call.principal, call.query(LeaderboardQuery)))


def get_nps(call: Call) -> Reply:
    return Reply(200, services().scores.nps.report(call.principal, call.query(NpsQuery)))


def get_engagement_settings(call: Call) -> Reply:
    return Reply(200, services().scores.engagement_settings(call.principal))


def set_engagement_settings(call: Call) -> Reply:
    settings = call.body(EngagementSettings)
    return Reply(200, services().scores.set_engagement_settings(call.principal, settings))


api = HttpApi(
    "scores_api",
    {
        "listScores": list_scores,
        "getPersonScores": get_person_scores,
        "calculateScores": calculate_scores,
        "getScoreLeaderboard": get_leaderboard,
        "getNps": get_nps,
        "getEngagementSettings": get_engagement_settings,
        "setEngagementSettings": set_engagement_settings,
    },
)


@functions_framework.http
def scores_api(request: flask.Request) -> flask.Response:
    return api(request)
