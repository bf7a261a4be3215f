"""What every HTTP function of the API shares, keyed or public: its operations from the OpenAPI
document bound to handlers (a missing or extra handler fails at import), one structured log line
per request, the matched route, and every error as the same JSON body (a 429 with Retry-After,
never a traceback). Subclasses say how a matched operation is answered (`_dispatch`)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

import flask
from pydantic import BaseModel
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound

from shared.errors import MethodNotAllowed, NotFound, RateLimited, ReachOpsError
from shared.http.logging import RequestFacts, log_request
from shared.http.openapi import Operation, route_map

logger = logging.getLogger(__name__)
H = TypeVar("H", bound=Callable[..., Any])


class RoutedApi(Generic[H]):
    """One HTTP function's operations, each bound to a handler."""

    def __init__(self, function_name: str, handlers: Mapping[str, H]) -> None:
        self._routes = route_map(function_name)
        declared = {rule.endpoint.operation_id for rule in self._routes.iter_rules()}
        if declared != set(handlers):
            raise RuntimeError(
                f"{function_name}: OpenAPI operations {sorted(declared)} "
                f"!= handlers {sorted(handlers)}"
            )
        self._handlers = dict(handlers)
        self._static = {
            (method, rule.rule): cast(Operation, rule.endpoint)
            for rule in self._routes.iter_rules()
            if not rule.arguments
            for method in rule.methods or ()
        }
        """Paths with no parameter (a beacon's, a list's), answered without the matcher."""

    def __call__(self, request: flask.Request) -> flask.Response:
        started = time.perf_counter()
        facts = RequestFacts()
        response = self._answer(request, facts)
        log_request(request, facts, response.status_code, time.perf_counter() - started)
        return response

    def _answer(self, request: flask.Request, facts: RequestFacts) -> flask.Response:
        try:
            return self._dispatch(request, facts)
        except RateLimited as limited:
            reply = json_reply(limited.status, limited.to_body())
            reply.headers["Retry-After"] = str(limited.retry_after)
            return reply
        except ReachOpsError as error:
            return json_reply(error.status, error.to_body())
        except Exception:
            logger.exception("unhandled error in %s %s", request.method, request.path)
            body = {"error": {"code": "internal", "message": "internal error", "field": None}}
            return json_reply(500, body)

    def _dispatch(self, request: flask.Request, facts: RequestFacts) -> flask.Response:
        raise NotImplementedError

    def _match(
        self, request: flask.Request, facts: RequestFacts
    ) -> tuple[Operation, dict[str, str]]:
        operation = self._static.get((request.method, request.path))
        path: dict[str, str] = {}
        if operation is None:
            operation, path = self._matched(request.method, request.path)
        facts.route = operation.path
        return operation, path

    def _matched(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        adapter = self._routes.bind("localhost")
        try:
            endpoint, parameters = adapter.match(path, method=method)
        except WerkzeugMethodNotAllowed as exc:
            raise MethodNotAllowed(f"{method} is not allowed on {path}") from exc
        except WerkzeugNotFound as exc:
            raise NotFound(f"no operation at {path}") from exc
        return cast(Operation, endpoint), dict(parameters)


def json_reply(status: int, body: Any) -> flask.Response:
    """A JSON reply; NaN and Infinity are not JSON, so they can never be written."""
    return flask.Response(
        json.dumps(body, allow_nan=False), status=status, mimetype="application/json"
    )


def model_reply(status: int, body: BaseModel) -> flask.Response:
    """A model's JSON reply, serialised by pydantic (which writes no NaN or Infinity)."""
    return flask.Response(body.model_dump_json(), status=status, mimetype="application/json")


def unroutable_path(_error: Exception) -> flask.Response:
    """functions-framework's own 404 (its catch-all route never matches a path holding a
    newline, for one), as the same JSON error every other reply uses, not Flask's HTML page:
    registered on every function's app in functions/main.py."""
    error = NotFound("no resource has this path (it holds characters no id has)", field="path")
    return json_reply(error.status, error.to_body())
