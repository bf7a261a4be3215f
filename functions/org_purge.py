"""HTTP entry point for Cloud Scheduler: finish the purge of every deleted organization.

Answers 500 when an organization's purge stopped midway, so the failure shows in monitoring;
its tombstone records how far it got and the next run carries on from there.
"""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def org_purge(request: flask.Request) -> flask.Response:
    outcome = services().org_purge.run()
    return flask.make_response(flask.jsonify(outcome.as_dict()), 500 if outcome.failed else 200)
