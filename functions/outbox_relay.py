"""HTTP entry point for Cloud Scheduler: publish campaign events left in outboxes (after a
crash or a Pub/Sub outage between a change and its event)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def outbox_relay(request: flask.Request) -> flask.Response:
    return flask.jsonify({"events_published": services().campaigns.relay_outboxes()})
