"""HTTP entry point: conversion goals (evaluated in SQL over every tracked event)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.goals.models import GoalCreate, GoalListQuery, GoalMatchQuery, GoalUpdate
from shared.http.api import Call, HttpApi, Reply


def create_goal(call: Call) -> Reply:
    return Reply(201, services().goals.create(call.principal, call.body(GoalCreate)))


def list_goals(call: Call) -> Reply:
    return Reply(200, services().goals.list(call.principal, call.query(GoalListQuery)))


def get_goal(call: Call) -> Reply:
    query = call.query(GoalMatchQuery)
    return Reply(200, services().goals.get(call.principal, call.path["goal_id"], query))


def update_goal(call: Call) -> Reply:
    patch = call.body(GoalUpdate)
    return Reply(200, services().goals.update(call.principal, call.path["goal_id"], patch))


def delete_goal(call: Call) -> Reply:
    services().goals.delete(call.principal, call.path["goal_id"])
    return Reply(204)


api = HttpApi(
    "goals_api",
    {
        "createGoal": create_goal,
        "listGoals": list_goals,
        "getGoal": get_goal,
        "updateGoal": update_goal,
        "deleteGoal": delete_goal,
    },
)


@functions_framework.http
def goals_api(request: flask.Request) -> flask.Response:
    return api(request)
