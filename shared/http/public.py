"""HTTP plumbing for the public operations (`security: []` in the OpenAPI document): routed and
logged like the rest of the API, every error in the same JSON shape, but no API key: the
handler authenticates its caller itself (tracking's publishable site keys).

A 429 carries Retry-After here, because no gateway quota stands in front of these operations.
The client address is the last X-Forwarded-For entry (the one the gateway in front appended,
which a client cannot forge), else the connection's peer.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import flask
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound

from shared.errors import (
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ReachOpsError,
    UnsupportedMediaType,
    ValidationFailed,
)
from shared.http.json_input import parse_json
from shared.http.logging import RequestFacts, log_request
from shared.http.openapi import Operation, route_map

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

JSON_MEDIA_TYPES = ("application/json", "text/plain")
"""text/plain too: navigator.sendBeacon and no-preflight fetches send JSON under it."""


@dataclass
class PublicCall:
    request: flask.Request
    path: dict[str, str]
    facts: RequestFacts

    @property
    def client_ip(self) -> str:
        forwarded = self.request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        return last or self.request.remote_addr or "unknown"

    def body(self, model: type[M], max_bytes: int) -> M:
        if self.request.mimetype not in JSON_MEDIA_TYPES:
            raise UnsupportedMediaType(
                "send the body as application/json (or text/plain holding JSON)",
                field="header.Content-Type",
            )
        length = self.request.content_length
        if length is not None and length > max_bytes:
            raise PayloadTooLarge(f"body exceeds {max_bytes} bytes")
        raw = self.request.stream.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise PayloadTooLarge(f"body exceeds {max_bytes} bytes")
        parse_json(raw)
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc) from exc


PublicHandler = Callable[[PublicCall], flask.Response]


class PublicApi:
    """One public HTTP function's operations, each bound to a handler that returns its reply."""

    def __init__(self, function_name: str, handlers: Mapping[str, PublicHandler]) -> None:
        self._routes = route_map(function_name)
        declared = {rule.endpoint.operation_id for rule in self._routes.iter_rules()}
        if declared != set(handlers):
            raise RuntimeError(
                f"{function_name}: OpenAPI operations {sorted(declared)} "
                f"!= handlers {sorted(handlers)}"
            )
        self._handlers = dict(handlers)

    def __call__(self, request: flask.Request) -> flask.Response:
        started = time.perf_counter()
        facts = RequestFacts()
        response = self._answer(request, facts)
        log_request(request, facts, response.status_code, time.perf_counter() - started)
        return response

    def _answer(self, request: flask.Request, facts: RequestFacts) -> flask.Response:
        try:
            operation, path = self._match(request, facts)
            return self._handlers[operation.operation_id](PublicCall(request, path, facts))
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

    def _match(
        self, request: flask.Request, facts: RequestFacts
    ) -> tuple[Operation, dict[str, str]]:
        adapter = self._routes.bind("localhost")
        try:
            endpoint, path = adapter.match(request.path, method=request.method)
        except WerkzeugMethodNotAllowed as exc:
            raise MethodNotAllowed(f"{request.method} is not allowed on {request.path}") from exc
        except WerkzeugNotFound as exc:
            raise NotFound(f"no operation at {request.path}") from exc
        operation = cast(Operation, endpoint)
        facts.route = operation.path
        return operation, dict(path)


def json_reply(status: int, body: Any) -> flask.Response:
    return flask.Response(
        json.dumps(body, allow_nan=False), status=status, mimetype="application/json"
    )
