"""HTTP plumbing for the public operations (`security: []` in the OpenAPI document): routed and
logged like the rest of the API, every error in the same JSON shape, but no API key: the
handler authenticates its caller itself (tracking's publishable site keys).

A 429 carries Retry-After here, because no gateway quota stands in front of these operations.
The client address is the last X-Forwarded-For entry (the one the gateway in front appended,
which a client cannot forge), else the connection's peer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import flask
from pydantic import BaseModel, ValidationError

from shared.errors import UnsupportedMediaType, ValidationFailed
from shared.http.body import read_body
from shared.http.json_input import parse_json
from shared.http.logging import RequestFacts
from shared.http.routing import RoutedApi

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
        raw = read_body(self.request, max_bytes)
        parse_json(raw)
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc) from exc


PublicHandler = Callable[[PublicCall], flask.Response]


class PublicApi(RoutedApi[PublicHandler]):
    """One public HTTP function's operations, each bound to a handler that returns its reply
    (and authenticates its caller itself)."""

    def _dispatch(self, request: flask.Request, facts: RequestFacts) -> flask.Response:
        operation, path = self._match(request, facts)
        return self._handlers[operation.operation_id](PublicCall(request, path, facts))
