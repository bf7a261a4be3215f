"""The local functions host: every function served by functions-framework (one app each),
mounted under /fn/<name>, the gateway at /, and the task dispatcher at /_tasks (which, like
Cloud Tasks, takes a task only from a function allowed to enqueue to its queue).

Run as `python -m shared.localstack.host --port 8080 --source functions/main.py`.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import functions_framework
from pydantic import ValidationError
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from shared.config import get_settings
from shared.localstack.gateway import LocalGateway
from shared.localstack.identities import GATEWAY, TASKS_INVOKER, LocalIdentities, guarded
from shared.localstack.task_dispatcher import QueueWorker, RequireEnqueuer, enqueuers
from shared.topology import QueueSpec, Topology, load_topology

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

FUNCTIONS_PREFIX = "/fn"
TASKS_PREFIX = "/_tasks"
HEALTH_PATH = "/_health"


class TaskDispatcherApp:
    """HTTP face of the dispatcher: POST /<queue> enqueues, GET /<queue> reports."""

    def __init__(self, workers: Mapping[str, QueueWorker]) -> None:
        self.workers = dict(workers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        worker = self.workers.get(request.path.strip("/"))
        if worker is None:
            return _json(404, {"error": f"no queue {request.path.strip('/')!r}"})(
                environ, start_response
            )
        if request.method == "GET":
            return _json(200, worker.stats())(environ, start_response)
        try:
            body = json.loads(request.get_data())
            task_id = body.get("task_id") or f"task-{len(worker.tasks) + 1}"
            created = worker.enqueue(task_id, body["payload"], float(body.get("delay_seconds", 0)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _json(400, {"error": f"bad task: {exc}"})(environ, start_response)
        status = 201 if created else 409
        return _json(status, {"task_id": task_id})(environ, start_response)


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _rooted(app: WSGIApplication) -> WSGIApplication:
    """A mounted app sees its mount point as "/" (not ""), as the deployed function does."""

    def rooted(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["PATH_INFO"] = environ.get("PATH_INFO") or "/"
        return app(environ, start_response)

    return rooted


def _health(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return _json(200, {"status": "ok"})(environ, start_response)


def queue_workers(
    queues: Mapping[str, QueueSpec], functions_base_url: str, identities: LocalIdentities
) -> dict[str, QueueWorker]:
    return {
        name: QueueWorker(
            name,
            spec,
            f"{functions_base_url}/{spec.target_function}",
            identity=identities.headers(TASKS_INVOKER, spec.target_function),
        )
        for name, spec in queues.items()
    }


def build_app(
    source: Path, base_url: str, topology: Topology, identities: LocalIdentities
) -> WSGIApplication:
    """Every function behind the invoker check its terraform grants imply (identities.py)."""
    functions_base_url = base_url + FUNCTIONS_PREFIX
    apps: dict[str, WSGIApplication] = {
        name: _rooted(functions_framework.create_app(name, str(source)))  # type: ignore[no-untyped-call]
        for name in topology.functions
    }
    mounts = {
        f"{FUNCTIONS_PREFIX}/{name}": app
        for name, app in guarded(apps, topology, identities).items()
    }
    workers = queue_workers(topology.queues, functions_base_url, identities)
    mounts[TASKS_PREFIX] = RequireEnqueuer(
        TaskDispatcherApp(workers), enqueuers(topology), identities
    )
    mounts[HEALTH_PATH] = _health
    gateway = LocalGateway(
        {name: f"{functions_base_url}/{name}" for name in topology.api_functions()},
        identity=lambda backend: identities.token(GATEWAY, backend),
    )
    return DispatcherMiddleware(gateway, mounts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    base_url = f"http://127.0.0.1:{args.port}"
    settings = get_settings()
    identities = LocalIdentities(settings.local_identity_key, settings.project_id)
    try:
        app = build_app(args.source.resolve(), base_url, load_topology(), identities)
    except ValidationError as exc:
        raise SystemExit(f"invalid topology: {exc}") from exc
    run_simple("127.0.0.1", args.port, app, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
