"""HTTP entry point for the meta-insights Cloud Tasks queue: advance one account's sync, or read
one range report the KPI table asked for (task kind `range_reach`).

While reports run (or Meta asks to wait) a sync task re-enqueues itself with that delay; a
transient Meta failure, or a duplicate delivery while the step still runs, answers 503 so Cloud
Tasks retries with the queue's backoff.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated, Any, Literal

import flask
import functions_framework
from pydantic import BaseModel, Discriminator, Field, Tag, TypeAdapter, ValidationError

from shared.adaccounts.sync_runs import StepInProgress
from shared.bootstrap import services
from shared.errors import NotFound
from shared.ports import AdsUnavailable

logger = logging.getLogger(__name__)


class SyncTask(BaseModel):
    kind: Literal["sync"] = "sync"
    org_id: str
    account_id: str
    reason: str = "scheduled"
    sync_id: str | None = None
    step: int = Field(default=0, ge=0)  # names the next step's task (shared/adaccounts/sync.py)


class RangeTask(BaseModel):
    kind: Literal["range_reach"]
    org_id: str
    account_id: str
    since: date
    until: date
    attempt: int = Field(ge=1)


def _kind(payload: Any) -> str:
    """A task without `kind` is a sync (what every sync task has always been)."""
    return str(payload.get("kind", "sync")) if isinstance(payload, dict) else "sync"


TASK: TypeAdapter[SyncTask | RangeTask] = TypeAdapter(
    Annotated[
        Annotated[SyncTask, Tag("sync")] | Annotated[RangeTask, Tag("range_reach")],
        Discriminator(_kind),
    ]
)


@functions_framework.http
def insights_sync(request: flask.Request) -> flask.Response:
    try:
        task = TASK.validate_json(request.get_data())
    except ValidationError as exc:
        logger.error("dropping a malformed insights task: %s", exc)
        return flask.jsonify({"dropped": "malformed task"})
    try:
        if isinstance(task, RangeTask):
            outcome = services().range_requests.run_task(
                task.org_id, task.account_id, task.since, task.until, task.attempt
            )
        else:
            outcome = services().insight_sync.run_task(
                task.org_id, task.account_id, task.sync_id, task.reason, task.step
            )
    except NotFound as exc:
        logger.error("dropping an insights task: %s", exc)
        return flask.jsonify({"dropped": str(exc)})
    except (AdsUnavailable, StepInProgress) as exc:
        return flask.make_response(flask.jsonify({"retry": str(exc)}), 503)
    return flask.jsonify(outcome)
