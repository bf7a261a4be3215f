"""HTTP entry point for the meta-insights Cloud Tasks queue: advance one account's sync.

While reports run (or Meta asks to wait) the task re-enqueues itself with that delay; a
transient Meta failure answers 503 so Cloud Tasks retries with the queue's backoff.
"""

from __future__ import annotations

import logging

import flask
import functions_framework
from pydantic import BaseModel, ValidationError

from shared.bootstrap import services
from shared.errors import NotFound
from shared.ports import AdsUnavailable

logger = logging.getLogger(__name__)


class SyncTask(BaseModel):
    org_id: str
    account_id: str
    reason: str = "scheduled"
    sync_id: str | None = None


@functions_framework.http
def insights_sync(request: flask.Request) -> flask.Response:
    try:
        task = SyncTask.model_validate_json(request.get_data())
    except ValidationError as exc:
        logger.error("dropping a malformed sync task: %s", exc)
        return flask.jsonify({"dropped": "malformed task"})
    try:
        outcome = services().insight_sync.run_task(
            task.org_id, task.account_id, task.sync_id, task.reason
        )
    except NotFound as exc:
        logger.error("dropping a sync task: %s", exc)
        return flask.jsonify({"dropped": str(exc)})
    except AdsUnavailable as exc:
        return flask.make_response(flask.jsonify({"retry": str(exc)}), 503)
    return flask.jsonify(outcome)
