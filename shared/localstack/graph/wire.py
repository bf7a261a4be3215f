"""Graph's wire conventions: the error body, request parameters as the SDK sends them (JSON
values in query or form fields), cursor paging and JSON answers."""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

DEFAULT_LIMIT = 25
MAX_LIMIT = 5000


class GraphError(Exception):
    """A Graph error answer: `{"error": {"message", "type", "code", "error_subcode",
    "is_transient", "fbtrace_id"}}` with its HTTP status (and, for throttles, how long until
    access is regained, which the usage headers announce)."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        error_type: str = "OAuthException",
        transient: bool = False,
        regain_minutes: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.subcode = code, message, status, subcode
        self.type, self.transient, self.regain_minutes = error_type, transient, regain_minutes

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        error["is_transient"] = self.transient
        error["fbtrace_id"] = trace_id()
        return {"error": error}


def invalid(message: str, subcode: int | None = None) -> GraphError:
    return GraphError(100, f"(#100) {message}", subcode=subcode)


def no_such_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        subcode=33,
        error_type="GraphMethodException",
    )


def trace_id() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode().rstrip("=")


@dataclass(frozen=True)
class Call:
    """One Graph request: its parameters (query and form merged) and path."""

    request: Request
    params: dict[str, str]
    version: str | None
    parts: list[str]


def request_params(request: Request) -> dict[str, str]:
    merged = dict(request.args.items())
    merged.update(request.form.items())
    return merged


def json_or_raw(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def list_param(params: Mapping[str, str], name: str) -> list[str] | None:
    """A list parameter as the SDK sends it (a JSON array) or as people type it (a,b,c)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    value = json_or_raw(raw)
    if isinstance(value, list):
        return [str(v) for v in value]
    # Drop nested field syntax like business{id,name}; the stand-in answers whole objects.
    return [re.sub(r"\{.*\}", "", v).strip() for v in re.split(r",(?![^{]*\})", str(raw)) if v]


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def position(value: str) -> int:
    try:
        text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        return int(text.removeprefix("pos:"))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid("after is not a valid cursor") from exc


def page(call: Call, items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One page of `items`, Graph style: cursors name the first and last item of the page, and
    a page that is not the last has `paging.next`, the full URL the SDK's Cursor follows."""
    params = call.params
    raw_limit = params.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or int(raw_limit) < 1:
        raise invalid("limit must be a positive integer")
    limit = min(int(raw_limit), MAX_LIMIT)
    offset = position(params["after"]) + 1 if params.get("after") else 0
    chunk = list(items[offset : offset + limit])
    body: dict[str, Any] = {"data": chunk}
    if not chunk:
        return body
    paging: dict[str, Any] = {
        "cursors": {"before": cursor(offset), "after": cursor(offset + len(chunk) - 1)}
    }
    if offset + len(chunk) < len(items):
        query = {k: v for k, v in call.request.args.items() if k != "after"}
        query.update({"limit": str(limit), "after": paging["cursors"]["after"]})
        path = "/".join(p for p in (call.version, *call.parts) if p)
        paging["next"] = f"{call.request.host_url}{path}?{urlencode(query)}"
    body["paging"] = paging
    return body


def subfields(params: Mapping[str, str]) -> dict[str, list[str]]:
    """The nested field selections of `fields`, as in `creative{id,thumbnail_url}`."""
    raw = params.get("fields") or ""
    return {
        name.strip(): [f.strip() for f in inner.split(",") if f.strip()]
        for name, inner in re.findall(r"([\w.]+)\{([^{}]*)\}", raw)
    }


def pick(
    obj: Mapping[str, Any],
    fields: Sequence[str] | None,
    nested: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The requested fields of an object (Graph always adds the id), a nested object cut to
    the subfields asked for it."""
    if fields is None:
        return dict(obj)
    picked = {name: obj[name] for name in fields if name in obj}
    for name, inner in (nested or {}).items():
        if isinstance(picked.get(name), Mapping):
            picked[name] = pick(picked[name], inner)
    if "id" in obj:
        picked["id"] = obj["id"]
    return picked


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, mimetype="application/json", headers=dict(headers or {})
    )


def number(value: float) -> float | int:
    """A usage figure as Graph writes it: whole numbers without a fraction."""
    return int(value) if float(value).is_integer() else round(value, 2)
