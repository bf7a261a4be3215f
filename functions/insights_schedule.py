"""HTTP entry point for Cloud Scheduler: import the non-SDK landing table, then enqueue the
daily insight sync of every connected Meta account."""

from __future__ import annotations

import flask
import functions_framework

from shared.bootstrap import services
from shared.paid import IMPORT_SOURCE_SQL


@functions_framework.http
def insights_schedule(request: flask.Request) -> flask.Response:
    app = services()
    app.warehouse.run(IMPORT_SOURCE_SQL)
    queued = app.ad_accounts.enqueue_all_syncs()
    return flask.jsonify({"accounts_queued": queued, "source_table_imported": True})
