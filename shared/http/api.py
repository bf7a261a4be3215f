"""HTTP plumbing every REST function shares: route by the OpenAPI document, authenticate,
charge the key's per-minute quotas (shared/http/distributed_limits.py), authorize, parse and
validate input, render every error in one JSON shape, and write one structured log line per
request (shared/http/logging.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import flask
from pydantic import BaseModel, ValidationError

from shared.auth import Principal
from shared.bootstrap import Services, services
from shared.errors import (
    BadRequest,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
)
from shared.http.body import read_body
from shared.http.json_input import parse_json
from shared.http.logging import RequestFacts
from shared.http.routing import RoutedApi, json_reply

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# API Gateway calls the function with its own identity token and moves the caller's
# Authorization header here; the local gateway does the same.
FORWARDED_AUTHORIZATION = "X-Forwarded-Authorization"

# Every id this API issues has this shape; anything else cannot name a document.
SAFE_ID = re.compile(r"(?!__)[A-Za-z0-9_-]{1,64}")
# Path parameters that name no document have their own shape: a conversion is a warehouse row,
# `{site_id}~{event_id}` (a client's event id may hold . : @), only ever a query parameter.
SAFE_IDS = {"conversion_id": re.compile(r"[A-Za-z0-9_-]{0,64}~[A-Za-z0-9_.:@-]{1,128}")}


@dataclass(frozen=True)
class Attachment:
    """A file to download (a report): sent as `media_type` with a Content-Disposition
    attachment naming `filename`."""

    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class Reply:
    status: int
    body: BaseModel | Mapping[str, Any] | Attachment | None = None

    @classmethod
    def created_or_found(cls, created: bool, body: BaseModel) -> Reply:
        """An idempotent create's reply: 201 when it made the record, 200 when the same
        request (or key) already had, with the stored record either way."""
        return cls(201 if created else 200, body)


@dataclass
class Call:
    """What a handler gets: the caller, the path parameters, and validated input on demand."""

    principal: Principal
    path: dict[str, str]
    request: flask.Request
    max_body_bytes: int
    _raw_body: bytes | None = field(default=None, repr=False)

    def body(self, model: type[M]) -> M:
        raw = self._read_body()
        parse_json(raw)
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc) from exc

    def text(self, media_type: str, max_bytes: int) -> str:
        """A non-JSON upload (e.g. text/csv) as UTF-8 text, at most `max_bytes`."""
        if self.request.mimetype != media_type:
            raise UnsupportedMediaType(
                f"send the body as {media_type}", field="header.Content-Type"
            )
        raw = read_body(self.request, max_bytes, "upload")
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BadRequest(f"the upload is not UTF-8 text: {exc}", field="body") from exc

    def query(self, model: type[M]) -> M:
        values = {key: self.request.args.getlist(key) for key in self.request.args}
        single = {key: items[0] if len(items) == 1 else items for key, items in values.items()}
        try:
            return model.model_validate(single)
        except ValidationError as exc:
            raise ValidationFailed.from_pydantic(exc, prefix="query.") from exc

    def _read_body(self) -> bytes:
        if self._raw_body is None:
            if self.request.mimetype != "application/json":
                raise UnsupportedMediaType(
                    "send the body as application/json", field="header.Content-Type"
                )
            self._raw_body = read_body(self.request, self.max_body_bytes)
        return self._raw_body


Handler = Callable[[Call], Reply]


class HttpApi(RoutedApi[Handler]):
    """One HTTP function's share of the keyed API: each call authenticated by its API key and
    charged to that key's quotas before anything else happens (a 429 runs no handler)."""

    def __init__(
        self,
        function_name: str,
        handlers: Mapping[str, Handler],
        app: Callable[[], Services] = services,
    ) -> None:
        super().__init__(function_name, handlers)
        self._services = app

    def _dispatch(self, request: flask.Request, facts: RequestFacts) -> flask.Response:
        operation, path = self._match(request, facts)
        app = self._services()
        # Authorization holds the gateway's own identity token (its backends' jwtAudience): the
        # caller's header arrives only as X-Forwarded-Authorization, which the gateway sets.
        principal = app.authenticate(request.headers.get(FORWARDED_AUTHORIZATION))
        facts.org_id, facts.key_id = principal.org_id, principal.key_id
        app.quotas.charge(principal.key_id, operation.metric_costs)
        if operation.permission is not None:
            principal.require(operation.permission)
        _check_ids(path)
        call = Call(principal, path, request, app.settings.max_body_bytes)
        reply = self._handlers[operation.operation_id](call)
        body = reply.body
        if isinstance(body, Attachment):
            download = flask.Response(body.content, status=reply.status, mimetype=body.media_type)
            download.headers["Content-Disposition"] = f'attachment; filename="{body.filename}"'
            return download
        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json")
        return json_reply(reply.status, body)


def _check_ids(path: Mapping[str, str]) -> None:
    """A path id no document could have is a 404, told only to a caller who may ask."""
    for name, value in path.items():
        if not SAFE_IDS.get(name, SAFE_ID).fullmatch(value):
            raise NotFound(f"{name} {value!r} not found", field=f"path.{name}")
