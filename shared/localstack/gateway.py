"""The local API gateway: routes by the rendered OpenAPI document, like GCP API Gateway.

Each operation's `x-google-backend` names a backend whose address is the function's URL;
the path is appended (APPEND_PATH_TO_ADDRESS) and the caller's Authorization header travels
as X-Forwarded-Authorization, exactly as production delivers it. Like API Gateway, which counts
quotas per consumer project and not per ReachOps key, it charges no per-key quota: the API
functions do, from the same document's limits, in Firestore (shared/http/distributed_limits.py),
so the local stack and production enforce one budget per key the same way. The path travels
percent-encoded as the caller sent it (any character, control characters included, reaches the
function, which answers for it), and header values as the bytes that arrived.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from shared.errors import NotFound
from shared.http.api import FORWARDED_AUTHORIZATION
from shared.http.openapi import route_map

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

# What ESPv2 (the engine behind API Gateway) answers for a route the document does not define.
UNDEFINED_ROUTE = {"code": 404, "message": "The current request is not defined by this API."}
MAX_GATEWAY_BODY_BYTES = 32 * 1024 * 1024
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "upgrade",
    "host",
    "content-length",
    "authorization",
}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
"""Characters functions-framework's catch-all route (`/<path:path>`, no DOTALL) cannot carry: a
path holding one would get Flask's HTML 404. No id contains one, so the answer is the JSON 404
the function gives any id that cannot exist, naming the parameter."""
_PATH_SAFE = "/!$&'()*+,;=:@-._~"
"""RFC 3986 path characters that need no percent-encoding."""


def _wire(value: str) -> bytes:
    """A header value as it arrived: WSGI hands headers over as Latin-1 text."""
    return value.encode("latin-1")


class LocalGateway:
    """`identity(backend)` is the gateway's identity token for that backend (jwtAudience), sent
    as Authorization like API Gateway's; a client's own X-Forwarded-Authorization is dropped,
    so only the gateway says what the caller's Authorization was."""

    def __init__(
        self, backend_urls: Mapping[str, str], identity: Callable[[str], str] | None = None
    ) -> None:
        self._backend_urls = dict(backend_urls)
        self._identity = identity
        self._routes = route_map()
        self._http = httpx.Client(timeout=60)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._forward(request)
        return response(environ, start_response)

    def _forward(self, request: Request) -> Response:
        try:
            operation, path = self._routes.bind("localhost").match(
                request.path, method=request.method
            )
        except HTTPException as exc:
            body = {**UNDEFINED_ROUTE, "code": exc.code or 404}
            return Response(json.dumps(body), status=exc.code or 404, mimetype="application/json")
        for name, value in path.items():
            if _CONTROL.search(value):
                error = NotFound(f"{name} {value!r} not found", field=f"path.{name}")
                return Response(
                    json.dumps(error.to_body()), status=404, mimetype="application/json"
                )
        headers = [
            (k.encode("latin-1"), _wire(v))
            for k, v in request.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() != FORWARDED_AUTHORIZATION.lower()
        ]
        # Like Google's front end, append the peer's address to X-Forwarded-For: the last entry
        # is the one a client cannot forge (public operations rate-limit by it).
        chain = [request.headers.get("X-Forwarded-For"), request.remote_addr]
        headers = [(k, v) for k, v in headers if k.lower() != b"x-forwarded-for"]
        headers.append((b"X-Forwarded-For", _wire(", ".join(c for c in chain if c))))
        if "Authorization" in request.headers:
            forwarded = _wire(request.headers["Authorization"])
            headers.append((FORWARDED_AUTHORIZATION.encode(), forwarded))
        if self._identity is not None:
            token = self._identity(operation.backend)
            headers.append((b"Authorization", f"Bearer {token}".encode()))
        upstream = self._http.request(
            request.method,
            self._backend_urls[operation.backend] + quote(request.path, safe=_PATH_SAFE),
            params=list(request.args.items(multi=True)),
            content=request.stream.read(MAX_GATEWAY_BODY_BYTES),
            headers=headers,
        )
        kept = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP]
        return Response(upstream.content, status=upstream.status_code, headers=kept)
