"""One structured request log line per API call, in the shape Cloud Logging reads from stdout.

Cloud Run (under every gen2 function) turns a JSON line on stdout into a LogEntry: `severity`
and `message` become the entry's own, `httpRequest` its HttpRequest (so the console shows
method, URL, status and latency), and the other fields its jsonPayload. The line carries who
called (org_id, key_id), which operation (the route template, so a dashboard groups by endpoint
and no id lands in a label), the status and the latency. It never carries the query string
(where `?access_token=` travels), headers (the API key, X-Apify-Webhook-Signature), nor the
body (a webhook URL): only the values named here are written.

A line is written to stdout's buffer and flushed within FLUSH_SECONDS by a thread of its own,
not per request: a flush is a system call, which lets go of the GIL, and beside busy request
threads taking it back costs more than building the line (measured in
scripts/bench/track_intake.py). A clean exit flushes what is buffered; a crash loses at most the
lines of its last FLUSH_SECONDS, as Cloud Logging's own client batches them in the background.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass

import flask

FLUSH_SECONDS = 0.5
"""How long a request's line may wait in stdout's buffer."""


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
    _FLUSHER.soon()


class _Flusher:
    """Flushes stdout FLUSH_SECONDS after the first line that asked, on a daemon thread
    started at that first line; idle, it waits and costs nothing."""

    def __init__(self) -> None:
        self._asked = threading.Event()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def soon(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="request-log-flush", daemon=True
                    )
                    self._thread.start()
        self._asked.set()

    def _run(self) -> None:
        while True:
            self._asked.wait()
            time.sleep(FLUSH_SECONDS)
            self._asked.clear()
            try:
                sys.stdout.flush()
            except (OSError, ValueError):
                continue  # stdout was closed or its reader went away: nothing can reach it


_FLUSHER = _Flusher()
