"""HTTP entry point for the apify-runs Cloud Tasks queue: start one job's actor run.

Answers 503 when Apify could not be reached (Cloud Tasks retries with the queue's backoff) and
2xx otherwise, including for a task that is malformed or names no job (retrying cannot help).
"""

from __future__ import annotations

import logging

import flask
import functions_framework
from pydantic import BaseModel, ValidationError

from shared.bootstrap import services
from shared.errors import NotFound, Unavailable

logger = logging.getLogger(__name__)


class RunTask(BaseModel):
    org_id: str
    job_id: str


@functions_framework.http
def scrape_runner(request: flask.Request) -> flask.Response:
    try:
        task = RunTask.model_validate_json(request.get_data())
    except ValidationError as exc:
        logger.error("dropping a malformed scrape task: %s", exc)
        return flask.jsonify({"dropped": "malformed task"})
    retries = int(request.headers.get("X-CloudTasks-TaskRetryCount", "0"))
    try:
        job = services().scrape_jobs.run(task.org_id, task.job_id, retries)
    except NotFound as exc:
        logger.error("dropping a task for a missing job: %s", exc)
        return flask.jsonify({"dropped": "no such job"})
    except Unavailable as exc:
        return flask.make_response(flask.jsonify(exc.to_body()), 503)
    return flask.jsonify({"job_id": job.job_id, "status": job.status, "run_id": job.run_id})
