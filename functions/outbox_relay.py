"""HTTP entry point for Cloud Scheduler: publish the events left in outboxes (campaign
changes, allocation and post decisions, scrape jobs) after a crash or a Pub/Sub outage between a
change and its event."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def outbox_relay(request: flask.Request) -> flask.Response:
    return flask.jsonify({"events_published": services().outbox.relay()})
