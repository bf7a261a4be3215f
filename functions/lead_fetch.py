"""HTTP entry point for the meta-leads Cloud Tasks queue: fetch one Lead Ads lead and record it.

503 when Meta failed or throttled (Cloud Tasks retries with the queue's backoff); 2xx otherwise,
including for a malformed task or a lead that is gone or maps to no organization (logged)."""

from __future__ import annotations

import logging

import flask
import functions_framework
from pydantic import ValidationError

from shared.bootstrap import services
from shared.conversions.leads import LeadTask
from shared.errors import Unavailable

logger = logging.getLogger(__name__)


@functions_framework.http
def lead_fetch(request: flask.Request) -> flask.Response:
    try:
        task = LeadTask.model_validate_json(request.get_data())
    except ValidationError as exc:
        logger.error("dropping a malformed lead task: %s", exc.errors()[0]["msg"])
        return flask.jsonify({"dropped": "malformed task"})
    try:
        recorded = services().lead_fetch.fetch(task)
    except Unavailable as exc:
        return flask.make_response(flask.jsonify(exc.to_body()), 503)
    return flask.jsonify({"leadgen_id": task.leadgen_id, "recorded": recorded})
