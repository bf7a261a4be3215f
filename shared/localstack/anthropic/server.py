"""The WSGI app: routing, the API key (x-api-key, or the Bearer token this SDK sends) and
anthropic-version checks, injected faults, the Messages and Message Batches handlers and the
control endpoints (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from shared.localstack.anthropic.catalog import answer
from shared.localstack.anthropic.faults import ApiError, Faults, injected

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

TOOL_NAME = "record_sentiment"


def _routes() -> Map:
    return Map(
        [
            Rule("/v1/messages", methods=["POST"], endpoint="message"),
            Rule("/v1/messages/batches", methods=["POST"], endpoint="create_batch"),
            Rule("/v1/messages/batches/<batch_id>", methods=["GET"], endpoint="get_batch"),
            Rule("/v1/messages/batches/<batch_id>/results", methods=["GET"], endpoint="results"),
            Rule("/_control/faults", methods=["GET", "POST"], endpoint="faults"),
            Rule("/_control/calls", methods=["GET"], endpoint="calls"),
            Rule("/_control/reset", methods=["POST"], endpoint="reset"),
        ]
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:24]
    return f"{prefix}_01{digest}"


def _text_of(params: dict[str, Any]) -> str:
    messages = params.get("messages")
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        raise ApiError(400, "invalid_request_error", "messages: Field required")
    content = messages[-1].get("content")
    if isinstance(content, list):
        content = " ".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    if not isinstance(content, str) or not content.strip():
        raise ApiError(
            400,
            "invalid_request_error",
            "messages.0.content: text content blocks must be non-empty",
        )
    return content


def render_message(params: dict[str, Any], serial: int) -> dict[str, Any]:
    """The Message the real API returns for a forced record_sentiment call (or a refusal)."""
    if not isinstance(params.get("max_tokens"), int):
        raise ApiError(400, "invalid_request_error", "max_tokens: Field required")
    model = params.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "invalid_request_error", "model: Field required")
    text = _text_of(params)
    output = answer(text)
    content: list[dict[str, Any]] = []
    if output is not None:
        content.append(
            {
                "type": "tool_use",
                "id": _id("toolu", text, serial),
                "name": TOOL_NAME,
                "input": output,
            }
        )
    return {
        "id": _id("msg", text, serial),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if output is not None else "refusal",
        "stop_sequence": None,
        "usage": {"input_tokens": 300 + len(text) // 4, "output_tokens": 60 if output else 2},
    }


@dataclass
class Batch:
    id: str
    created_at: datetime
    ends_at: datetime
    lines: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self, now: datetime, base_url: str) -> dict[str, Any]:
        ended = now >= self.ends_at
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for line in self.lines:
            counts[line["result"]["type"] if ended else "processing"] += 1
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "ended_at": _iso(self.ends_at) if ended else None,
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.created_at + timedelta(hours=24)),
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{self.id}/results" if ended else None,
        }


class LocalAnthropicServer:
    """The WSGI app; thread-safe. A batch ends `batch_delay_seconds` after it is created."""

    def __init__(
        self,
        *,
        batch_delay_seconds: float = 0.5,
        api_key: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._delay = timedelta(seconds=batch_delay_seconds)
        self._api_key = api_key
        self._clock = clock
        self._lock = threading.RLock()
        self._faults = Faults()
        self._batches: dict[str, Batch] = {}
        self._calls: list[dict[str, Any]] = []
        self._urls = _routes()

    # -- control, also callable in-process ---------------------------------------------------

    def set_faults(self, **changes: Any) -> Faults:
        with self._lock:
            current = asdict(self._faults)
            for key, value in changes.items():
                if key not in current or type(value) is not type(current[key]):
                    raise ApiError(400, "invalid_request_error", f"unknown or mistyped {key!r}")
                current[key] = value
            self._faults = Faults(**current)
            return Faults(**current)

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._faults = Faults()
            self._batches.clear()
            self._calls.clear()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._respond(Request(environ))(environ, start_response)

    def _respond(self, request: Request) -> Response:
        request_id = _id("req", time.time_ns(), id(request))
        try:
            endpoint, args = self._urls.bind_to_environ(request.environ).match()
            if request.path.startswith("/v1/"):
                self._check(request, endpoint)
            handler: Callable[..., Response] = getattr(self, f"_on_{endpoint}")
            reply = handler(request, **args)
        except ApiError as exc:
            return exc.response(request_id)
        except HTTPException as exc:
            kind = "not_found_error" if exc.code == 404 else "invalid_request_error"
            return ApiError(exc.code or 404, kind, exc.description or kind).response(request_id)
        reply.headers["request-id"] = request_id
        return reply

    def _check(self, request: Request, endpoint: str) -> None:
        bearer = request.headers.get("Authorization", "")
        key = request.headers.get("x-api-key") or bearer.removeprefix("Bearer ").strip()
        if not key or (self._api_key is not None and key != self._api_key):
            raise ApiError(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            raise ApiError(400, "invalid_request_error", "anthropic-version: header is required")
        with self._lock:
            self._calls.append({"endpoint": endpoint, "path": request.path})
            fault = injected(self._faults)
        if fault is not None:
            raise fault

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_request_error", "the body must be a JSON object")
        return body

    def _base_url(self, request: Request) -> str:
        return request.host_url.rstrip("/")

    # -- API handlers ------------------------------------------------------------------------

    def _on_message(self, request: Request) -> Response:
        with self._lock:
            serial = len(self._calls)
        return _json(200, render_message(self._body(request), serial))

    def _on_create_batch(self, request: Request) -> Response:
        requests = self._body(request).get("requests")
        if not isinstance(requests, list) or not requests:
            raise ApiError(400, "invalid_request_error", "requests: Field required")
        now = self._clock()
        with self._lock:
            batch = Batch(_id("msgbatch", now, len(self._batches)), now, now + self._delay)
            for index, item in enumerate(requests):
                batch.lines.append(self._line(item, index))
            self._batches[batch.id] = batch
            return _json(200, batch.as_json(now, self._base_url(request)))

    def _line(self, item: object, index: int) -> dict[str, Any]:
        if not isinstance(item, dict) or not isinstance(item.get("custom_id"), str):
            raise ApiError(400, "invalid_request_error", f"requests.{index}.custom_id: required")
        custom_id, params = item["custom_id"], item.get("params")
        if self._faults.expired_next > 0:
            self._faults.expired_next -= 1
            return {"custom_id": custom_id, "result": {"type": "expired"}}
        if self._faults.errored_next > 0:
            self._faults.errored_next -= 1
            error = ApiError(500, "api_error", "Internal server error")
        else:
            try:
                message = render_message(params if isinstance(params, dict) else {}, index)
                return {"custom_id": custom_id, "result": {"type": "succeeded", "message": message}}
            except ApiError as exc:
                error = exc
        body = {"type": "error", "error": {"type": error.kind, "message": error.message}}
        return {
            "custom_id": custom_id,
            "result": {"type": "errored", "error": {**body, "request_id": None}},
        }

    def _batch(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise ApiError(404, "not_found_error", "The requested resource could not be found.")
        return batch

    def _on_get_batch(self, request: Request, batch_id: str) -> Response:
        with self._lock:
            data = self._batch(batch_id).as_json(self._clock(), self._base_url(request))
        return _json(200, data)

    def _on_results(self, request: Request, batch_id: str) -> Response:
        with self._lock:
            batch = self._batch(batch_id)
            if self._clock() < batch.ends_at:
                raise ApiError(400, "invalid_request_error", "The batch is still processing.")
            body = "".join(json.dumps(line) + "\n" for line in batch.lines)
        return Response(body, status=200, mimetype="application/binary")

    # -- control handlers --------------------------------------------------------------------

    def _on_faults(self, request: Request) -> Response:
        if request.method == "POST":
            self.set_faults(**self._body(request))
        with self._lock:
            return _json(200, {"faults": asdict(self._faults)})

    def _on_calls(self, request: Request) -> Response:
        return _json(200, {"calls": self.calls()})

    def _on_reset(self, request: Request) -> Response:
        self.reset()
        return _json(200, {"reset": True})


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
