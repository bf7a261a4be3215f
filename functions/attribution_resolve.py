"""HTTP entry point for Cloud Scheduler: resolve every organization's new and unresolved
sessions, then recompute the recent days' data-driven credit (idempotent; safe to retry)."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def attribution_resolve(request: flask.Request) -> flask.Response:
    runs = services().attribution_job.run_all()
    return flask.jsonify(
        {
            "orgs": len(runs),
            "sessions_resolved": sum(r.sessions_resolved for r in runs),
            "sessions_unresolved": sum(r.sessions_unresolved for r in runs),
        }
    )
