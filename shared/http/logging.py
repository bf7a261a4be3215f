"""One structured request log line per API call, in the shape Cloud Logging reads from stdout.

Cloud Run (under every gen2 function) turns a JSON line on stdout into a LogEntry: `severity`
and `message` become the entry's own, `httpRequest` its HttpRequest (so the console shows
method, URL, status and latency), and the other fields its jsonPayload. The line carries who
called (org_id, key_id), which operation (the route template, so a dashboard groups by endpoint
and no id lands in a label), the status and the latency. It never carries the query string
(where `?access_token=` travels), headers (the API key, X-Apify-Webhook-Signature), nor the
body (a webhook URL): only the values named here are written.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import flask


@dataclass
class RequestFacts:
    """What the dispatcher learns while answering: filled in as each becomes known."""

    route: str | None = None
    org_id: str | None = None
    key_id: str | None = None


def severity(status: int) -> str:
    """A caller's mistake is a WARNING, ours an ERROR, everything else INFO."""
    if status >= 500:
        return "ERROR"
    if status >= 400:
        return "WARNING"
    return "INFO"


def request_entry(
    request: flask.Request, facts: RequestFacts, status: int, seconds: float
) -> dict[str, object]:
    route = facts.route or "(no route)"
    return {
        "severity": severity(status),
        "message": f"{request.method} {route} {status}",
        "httpRequest": {
            "requestMethod": request.method,
            "requestUrl": request.path,
            "status": status,
            "latency": f"{seconds:.3f}s",
        },
        "route": facts.route,
        "org_id": facts.org_id,
        "key_id": facts.key_id,
    }


def log_request(request: flask.Request, facts: RequestFacts, status: int, seconds: float) -> None:
    """Written to the stdout of the moment (not a handler bound at import), one line per call."""
    line = json.dumps(request_entry(request, facts, status, seconds), ensure_ascii=True)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
