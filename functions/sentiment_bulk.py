"""HTTP entry point for Cloud Scheduler: queue a bulk sentiment run for every organization
(one per organization and 4-hour window, so a retried run queues nothing new)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def sentiment_bulk(request: flask.Request) -> flask.Response:
    return flask.jsonify({"orgs": services().sentiment_batch_job.plan_all()})
