"""HTTP entry point for Cloud Scheduler: plan and enqueue this slot's scrape jobs."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services


@functions_framework.http
def scrape_monitor(request: flask.Request) -> flask.Response:
    jobs = services().scrape_jobs.monitor_all()
    return flask.jsonify({"jobs_planned": len(jobs), "job_ids": jobs})
