"""HTTP entry point for the anthropic-batches Cloud Tasks queue: one step of a bulk sentiment
run (submit a Message Batch, poll it, store its results).

Answers 503 when Anthropic could not be reached (Cloud Tasks retries with the queue's backoff)
and 2xx otherwise, a malformed task or one of a deleted organization included (retrying
cannot help).
"""

from __future__ import annotations

import logging

import flask
import functions_framework
from pydantic import ValidationError

from shared.bootstrap import services
from shared.errors import ReachOpsError, Unavailable
from shared.sentiment.batches import BatchTask

logger = logging.getLogger(__name__)


@functions_framework.http
def sentiment_batch(request: flask.Request) -> flask.Response:
    try:
        task = BatchTask.model_validate_json(request.get_data())
    except ValidationError as exc:
        logger.error("dropping a malformed sentiment task: %s", exc)
        return flask.jsonify({"dropped": "malformed task"})
    try:
        return flask.jsonify(services().sentiment_batch_job.run(task))
    except Unavailable as exc:
        return flask.make_response(flask.jsonify(exc.to_body()), 503)
    except ReachOpsError as exc:
        if exc.status >= 500:
            raise
        logger.warning("dropping sentiment task %s: %s", task.run_id, exc)
        return flask.jsonify({"dropped": exc.to_body()})
