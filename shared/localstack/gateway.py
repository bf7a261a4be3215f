"""The local API gateway: routes by the rendered OpenAPI document, like GCP API Gateway.

Each operation's `x-google-backend` names a backend whose address is the function's URL;
the path is appended (APPEND_PATH_TO_ADDRESS) and the caller's Authorization header travels
as X-Forwarded-Authorization, exactly as production delivers it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import httpx
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

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


class LocalGateway:
    def __init__(self, backend_urls: Mapping[str, str]) -> None:
        self._backend_urls = dict(backend_urls)
        self._routes = route_map()
        self._http = httpx.Client(timeout=60)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._forward(request)
        return response(environ, start_response)

    def _forward(self, request: Request) -> Response:
        try:
            operation, _ = self._routes.bind("localhost").match(request.path, method=request.method)
        except HTTPException as exc:
            body = {**UNDEFINED_ROUTE, "code": exc.code or 404}
            return Response(json.dumps(body), status=exc.code or 404, mimetype="application/json")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        if "Authorization" in request.headers:
            headers[FORWARDED_AUTHORIZATION] = request.headers["Authorization"]
        upstream = self._http.request(
            request.method,
            self._backend_urls[operation.backend] + request.path,
            params=list(request.args.items(multi=True)),
            content=request.stream.read(MAX_GATEWAY_BODY_BYTES),
            headers=headers,
        )
        kept = [(k, v) for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP]
        return Response(upstream.content, status=upstream.status_code, headers=kept)
