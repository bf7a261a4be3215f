"""HTTP entry point: experiments (definitions, lifecycle, power, results)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.experiments.models import (
    ExperimentCreate,
    ExperimentListQuery,
    ExperimentUpdate,
    PowerQuery,
    ResultsQuery,
)
from shared.http.api import Call, HttpApi, Reply


def create_experiment(call: Call) -> Reply:
    return Reply(201, services().experiments.create(call.principal, call.body(ExperimentCreate)))


def list_experiments(call: Call) -> Reply:
    query = call.query(ExperimentListQuery)
    return Reply(200, services().experiments.list(call.principal, query))


def get_experiment(call: Call) -> Reply:
    return Reply(200, services().experiments.get(call.principal, call.path["experiment_id"]))


def update_experiment(call: Call) -> Reply:
    patch = call.body(ExperimentUpdate)
    experiment_id = call.path["experiment_id"]
    return Reply(200, services().experiments.update(call.principal, experiment_id, patch))


def start_experiment(call: Call) -> Reply:
    experiment_id = call.path["experiment_id"]
    return Reply(200, services().experiments.transition(call.principal, experiment_id, "start"))


def stop_experiment(call: Call) -> Reply:
    experiment_id = call.path["experiment_id"]
    return Reply(200, services().experiments.transition(call.principal, experiment_id, "stop"))


def get_experiment_power(call: Call) -> Reply:
    query = call.query(PowerQuery)
    experiment_id = call.path["experiment_id"]
    return Reply(200, services().experiments.power(call.principal, experiment_id, query))


def get_experiment_results(call: Call) -> Reply:
    at = call.query(ResultsQuery).at
    experiment_id = call.path["experiment_id"]
    return Reply(200, services().experiment_results.latest(call.principal, experiment_id, at))


api = HttpApi(
    "experiments_api",
    {
        "createExperiment": create_experiment,
        "listExperiments": list_experiments,
        "getExperiment": get_experiment,
        "updateExperiment": update_experiment,
        "startExperiment": start_experiment,
        "stopExperiment": stop_experiment,
        "getExperimentPower": get_experiment_power,
        "getExperimentResults": get_experiment_results,
    },
)


@functions_framework.http
def experiments_api(request: flask.Request) -> flask.Response:
    return api(request)
